// Builds the process-wide Propagator for the Function App: pipeline config (rollups section),
// the one ADT client and gateway, and the roll-up port over it. Built lazily, once per process,
// because per-parent coalescing and caches only work when every invocation shares them.
import { createAdtClient } from '../adt/sdkClient';
import { AdtGateway } from '../adt/gateway';
import { gatewayLimitsFromSettings } from '../adt/gatewayLimitsFromSettings';
import { SdkAdtPort } from '../adt/sdkPort';
import { loadPipelineConfig } from '../config/load';
import type { CompiledPipelineConfig } from '../config/types';
import type { CompiledRollups } from '../rollup/compile';
import { compileRollups } from '../rollup/compile';
import type { RollupsSection } from '../rollup/config';
import { readSetting } from '../settings';
import { AdtRollupPort } from './adtRollupPort';
import { Propagator } from './propagator';

/** The compiled roll-ups of a loaded pipeline config; no `rollups` section = no rules. */
export function rollupsOf(config: CompiledPipelineConfig): CompiledRollups {
  // The config loader compiled (and cycle-checked) the section already.
  return config.compiledRollups ?? compileRollups({ rules: [] } satisfies RollupsSection);
}

let instance: Propagator | undefined;

export function propagatorFromEnvironment(env: NodeJS.ProcessEnv = process.env): Propagator {
  if (!instance) {
    const compiled = rollupsOf(loadPipelineConfig(env));
    const client = createAdtClient({ url: readSetting('adtUrl', env) as string });
    const gateway = new AdtGateway({ port: new SdkAdtPort(client), limits: gatewayLimitsFromSettings(env) });
    instance = new Propagator({ compiled, port: new AdtRollupPort(gateway) });
  }
  return instance;
}
