// The gateway's budgets: ADT's published limits by default, tuned by app settings shared by both
// functions (one worker = one gateway = one set of budgets).

import { readNumberSetting } from '../settings';

export interface GatewayLimits {
  /** Requests in flight at once across all twins. */
  maxConcurrency: number;
  /** ADT: 10 create/update/delete ops per second on one twin (not adjustable). */
  twinWritesPerSecond: number;
  /** ADT default: 1,000 patch requests per second per instance. */
  patchesPerSecond: number;
  /** ADT default: 1,000 read requests per second per instance. */
  readsPerSecond: number;
  /** ADT default: 500 Query API requests per second per instance (a budget of its own). */
  queriesPerSecond: number;
  /** Telemetry has no published limit; it is budgeted like patches. */
  telemetryPerSecond: number;
  /**
   * Instances that draw on one ADT instance at once (ADT_MAX_INSTANCES; main.bicep derives it from
   * the telemetry partitions, since the Event Hubs trigger runs at most one instance per partition):
   * each starts at its share of the instance-wide limits and adapts to 429s from there.
   */
  instances: number;
}

export const defaultGatewayLimits: GatewayLimits = {
  maxConcurrency: 32,
  twinWritesPerSecond: 10,
  patchesPerSecond: 1000,
  readsPerSecond: 1000,
  queriesPerSecond: 500,
  telemetryPerSecond: 1000,
  instances: 1,
};

export function gatewayLimitsFromSettings(env: NodeJS.ProcessEnv = process.env): Partial<GatewayLimits> {
  return {
    maxConcurrency: readNumberSetting('adtMaxConcurrency', defaultGatewayLimits.maxConcurrency, env),
    twinWritesPerSecond: readNumberSetting('adtTwinWritesPerSecond', defaultGatewayLimits.twinWritesPerSecond, env),
    patchesPerSecond: readNumberSetting('adtPatchesPerSecond', defaultGatewayLimits.patchesPerSecond, env),
    instances: readNumberSetting('adtMaxInstances', defaultGatewayLimits.instances, env),
  };
}
