// The gateway budgets both functions take from app settings (ADT defaults when unset), so ingest
// and propagate in one Function App are tuned by the same settings.
import { readNumberSetting } from '../settings';
import { defaultGatewayLimits, type GatewayLimits } from './gateway';

export function gatewayLimitsFromSettings(env: NodeJS.ProcessEnv = process.env): Partial<GatewayLimits> {
  return {
    maxConcurrency: readNumberSetting('adtMaxConcurrency', defaultGatewayLimits.maxConcurrency, env),
    twinWritesPerSecond: readNumberSetting('adtTwinWritesPerSecond', defaultGatewayLimits.twinWritesPerSecond, env),
    patchesPerSecond: readNumberSetting('adtPatchesPerSecond', defaultGatewayLimits.patchesPerSecond, env),
  };
}
