// Process-wide ingest dependencies, built once per worker from app settings and the pipeline
// configuration: one ADT client and credential, one gateway (its caches and rate budgets span
// invocations), one planner, one dead-letter sink.

import { AdtGateway } from '../adt/gateway';
import { gatewayLimitsFromSettings } from '../adt/gatewayLimitsFromSettings';
import type { RetryPolicy } from '../adt/retry';
import { createAdtClient, type AdtClientOptions } from '../adt/sdkClient';
import { SdkAdtPort } from '../adt/sdkPort';
import type { AdtPort } from '../adt/types';
import { loadPipelineConfig } from '../config/load';
import type { CompiledPipelineConfig } from '../config/types';
import { deadLetterSinkFromSettings } from '../deadLetter/fromSettings';
import type { DeadLetterSink } from '../deadLetter/sink';
import { readNumberSetting, readSetting } from '../settings';
import type { DecodeOptions } from './decodeEvent';
import type { IngestPlanner } from './ingestPlan';
import { createIngestPlanner } from './plannerFromConfig';

export interface IngestRuntime {
  config: CompiledPipelineConfig;
  gateway: AdtGateway;
  deadLetters: DeadLetterSink;
  planner: IngestPlanner;
  decodeOptions: DecodeOptions;
  deadlineMs: number;
}

export interface IngestRuntimeOptions {
  env?: NodeJS.ProcessEnv;
  /** Already loaded configuration; default: the file named by PIPELINE_CONFIG_PATH (or the defaults). */
  config?: CompiledPipelineConfig;
  /** Tests and the offline runner: a port over an injected client (e.g. the emulator's). */
  port?: AdtPort;
  client?: Omit<AdtClientOptions, 'url'>;
  deadLetters?: DeadLetterSink;
  retryPolicy?: Partial<RetryPolicy>;
}

export function createIngestRuntime(options: IngestRuntimeOptions = {}): IngestRuntime {
  const env = options.env ?? process.env;
  const config = options.config ?? loadPipelineConfig(env);
  const port = options.port ?? new SdkAdtPort(createAdtClient({ url: readSetting('adtUrl', env) as string, ...options.client }));
  const gateway = new AdtGateway({
    port,
    limits: gatewayLimitsFromSettings(env),
    ...(options.retryPolicy && { retryPolicy: options.retryPolicy }),
  });
  return {
    config,
    gateway,
    deadLetters: options.deadLetters ?? deadLetterSinkFromSettings(env),
    planner: createIngestPlanner(config, gateway),
    decodeOptions: { deviceIdProperties: config.ingest.options.deviceIdProperties, moduleIdProperties: config.ingest.options.moduleIdProperties },
    deadlineMs: readNumberSetting('ingestDeadlineSeconds', 240, env) * 1000,
  };
}

let processConfig: CompiledPipelineConfig | undefined;
let processRuntime: IngestRuntime | undefined;

/**
 * The pipeline configuration of this worker. The function module loads it when the host loads the
 * app, so a broken file fails at startup with the ConfigError's list of problems.
 */
export function ingestConfig(): CompiledPipelineConfig {
  processConfig ??= loadPipelineConfig();
  return processConfig;
}

/** The runtime the deployed function uses: built on first invocation from app settings. */
export function defaultIngestRuntime(): IngestRuntime {
  processRuntime ??= createIngestRuntime({ config: ingestConfig() });
  return processRuntime;
}

/** A fresh "worker": the next invocation re-reads settings and configuration (offline runner, tests). */
export function resetIngestRuntime(): void {
  processConfig = undefined;
  processRuntime = undefined;
}
