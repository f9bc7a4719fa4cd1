// Loads the real function app (functions/*.ts or their compiled .js) the way the Functions host does:
// app settings in the environment, then each function file required so it registers itself with the
// (fake) @azure/functions-core. What the runner invokes is exactly what was registered.
import { resolve } from 'node:path';

import { setAdtClientDefaults } from '../../shared/adt';
import { resetWorker, workerConfig } from '../../shared/worker';
import { type AdtAccess, applyAdtClientDefaults } from './adtAccess';
import { type CapturedProgrammingModel, capturedProgrammingModel, type CapturedRegistration, loadFunctionApp } from './functionsHost';

export interface FunctionApp {
  ingest: CapturedRegistration;
  propagate: CapturedRegistration;
  /** The HTTP ingest function (POST /api/telemetry), driven by the --follow ingress. */
  http: CapturedRegistration;
  /** The sweepConditions timer (conditions' durations, staleness). */
  sweep: CapturedRegistration;
  /** The drainDeferredValues timer (deferred values, shared/ingest/defer). */
  drain: CapturedRegistration;
  programmingModel: CapturedProgrammingModel;
  /** Puts the app settings back as they were before load. */
  unload(): void;
}

export interface LoadOptions {
  /** App settings (name → value), as local.settings.json "Values" would give the host. */
  appSettings: Record<string, string>;
  adt: AdtAccess;
  /** Under jest the test mocks @azure/functions-core itself (jest has its own module registry). */
  hook?: boolean;
}

const projectRoot = resolve(__dirname, '..', '..');
export const functionFiles = {
  ingest: resolve(projectRoot, 'functions', 'ingestTelemetry'),
  propagate: resolve(projectRoot, 'functions', 'propagateTwinChanges'),
  http: resolve(projectRoot, 'functions', 'ingestHttp'),
  sweep: resolve(projectRoot, 'functions', 'sweepConditions'),
  drain: resolve(projectRoot, 'functions', 'drainDeferredValues'),
};

export function loadLocalFunctionApp(options: LoadOptions): FunctionApp {
  const previous = new Map(Object.keys(options.appSettings).map((k) => [k, process.env[k]]));
  Object.assign(process.env, options.appSettings);
  // A fresh worker: the function modules stay loaded (as in a host process), but the one gateway,
  // caches and configuration are rebuilt from these settings on first use.
  resetWorker();
  applyAdtClientDefaults(options.adt, setAdtClientDefaults);
  const registrations = loadFunctionApp(
    [functionFiles.ingest, functionFiles.propagate, functionFiles.http, functionFiles.sweep, functionFiles.drain],
    { hook: options.hook ?? true },
  );
  // What the ingest module does when the host first loads it: a broken configuration fails here.
  workerConfig();
  const ingest = registrations.get('ingestTelemetry');
  const propagate = registrations.get('propagateTwinChanges');
  const http = registrations.get('ingestHttp');
  const sweep = registrations.get('sweepConditions');
  const drain = registrations.get('drainDeferredValues');
  const programmingModel = capturedProgrammingModel();
  if (!ingest || !propagate || !http || !sweep || !drain || !programmingModel) {
    throw new Error(
      `The function app did not register what the runner drives (got: ${[...registrations.keys()].join(', ') || 'nothing'}). ` +
        'Expected ingestTelemetry (Event Hub trigger), propagateTwinChanges (Event Grid trigger), ingestHttp (HTTP trigger), sweepConditions and drainDeferredValues (timers) registered with app.eventHub/app.eventGrid/app.http/app.timer.',
    );
  }
  return {
    ingest,
    propagate,
    http,
    sweep,
    drain,
    programmingModel,
    unload: () => {
      for (const [key, value] of previous) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}
