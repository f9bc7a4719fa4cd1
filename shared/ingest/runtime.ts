// Process-wide ingest dependencies, built once per worker from app settings: one ADT client and
// credential, one gateway (its caches and rate budgets span invocations), one dead-letter sink.

import { AdtGateway } from '../adt/gateway';
import { createAdtClient, type AdtClientOptions } from '../adt/sdkClient';
import { SdkAdtPort } from '../adt/sdkPort';
import type { AdtPort } from '../adt/types';
import { deadLetterSinkFromSettings } from '../deadLetter/fromSettings';
import type { DeadLetterSink } from '../deadLetter/sink';
import { readNumberSetting, readSetting } from '../settings';
import type { IngestPlanner } from './ingestPlan';
import { loadIngestPlanner } from './plannerFromConfig';

export interface IngestRuntime {
  gateway: AdtGateway;
  deadLetters: DeadLetterSink;
  planner: IngestPlanner;
  deadlineMs: number;
}

export interface IngestRuntimeOptions {
  planner: IngestPlanner;
  env?: NodeJS.ProcessEnv;
  /** Tests and the offline runner: a port over an injected client (e.g. the emulator's). */
  port?: AdtPort;
  client?: Omit<AdtClientOptions, 'url'>;
  deadLetters?: DeadLetterSink;
}

export function createIngestRuntime(options: IngestRuntimeOptions): IngestRuntime {
  const env = options.env ?? process.env;
  const port = options.port ?? new SdkAdtPort(createAdtClient({ url: readSetting('adtUrl', env) as string, ...options.client }));
  return {
    gateway: new AdtGateway({
      port,
      limits: {
        maxConcurrency: readNumberSetting('adtMaxConcurrency', 32, env),
        twinWritesPerSecond: readNumberSetting('adtTwinWritesPerSecond', 10, env),
        patchesPerSecond: readNumberSetting('adtPatchesPerSecond', 1000, env),
      },
    }),
    deadLetters: options.deadLetters ?? deadLetterSinkFromSettings(env),
    planner: options.planner,
    deadlineMs: readNumberSetting('ingestDeadlineSeconds', 240, env) * 1000,
  };
}

let processRuntime: IngestRuntime | undefined;

/** The runtime the deployed function uses: built on first invocation from app settings. */
export function defaultIngestRuntime(): IngestRuntime {
  processRuntime ??= createIngestRuntime({ planner: loadIngestPlanner() });
  return processRuntime;
}
