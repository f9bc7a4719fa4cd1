// startEmulator(): an HTTPS server that speaks the ADT data plane well enough that an unmodified
// DigitalTwinsClient (SDK 1.1.0) cannot tell it from the real service. See README.md.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

import { handleAdmin, isAdminPath } from './admin';
import { Counters, type CountersSnapshot } from './counters';
import { attachEgress, type EgressHandle } from './egress';
import { EventRouter, newTraceparent } from './events';
import { FaultInjector } from './faults';
import { componentRoutes } from './handlers/components';
import { eventRouteRoutes } from './handlers/eventRoutes';
import { modelRoutes } from './handlers/models';
import { queryRoutes, querySource } from './handlers/query';
import { relationshipRoutes } from './handlers/relationships';
import { telemetryRoutes } from './handlers/telemetry';
import { twinRoutes } from './handlers/twins';
import { handleCors } from './http/cors';
import { handleDataPlane } from './http/pipeline';
import { Router } from './http/router';
import { type ImportSummary, runImport } from './importJob';
import { BulkJobs, connectionStringJobStorage, defaultBulkJobOptions, jobRoutes, noJobStorage } from './jobs';
import { ServiceLimits } from './limits';
import { ModelRegistry } from './models/modelRegistry';
import type { EmulatorOptions } from './options';
import { defaultPayloadLimits } from './payloadLimits';
import { Persister } from './persistence';
import { withQueryLag } from './query/laggedSource';
import { type ModelSeedSummary, seedModelDirectory } from './seedModels';
import { defaultStoreLimits, type EmulatorServices } from './services';
import { type EmulatorSnapshot, restoreSnapshot, snapshotOf } from './snapshot';
import { readImportFile, startupInputs } from './startupInputs';
import { RelationshipStore } from './store/relationshipStore';
import { TwinStore } from './store/twinStore';
import { defaultDedupOptions, TelemetryDeduplicator } from './telemetryDedup';
import { generateIdentity, loadOrCreateIdentity } from './tls';

export type { EmulatorOptions } from './options';

export interface EmulatorHandle {
  /** `https://127.0.0.1:<port>` */
  url: string;
  host: string;
  port: number;
  /** PEM of the self-signed certificate; give it to createEmulatorClient() / an https.Agent. */
  ca: string;
  /** Where the certificate is kept (certDir/cert.pem), when a certDir was given. */
  caFile: string | undefined;
  store: { twins: TwinStore; relationships: RelationshipStore };
  models: ModelRegistry;
  events: EventRouter;
  /** The egress sink, when started with `egress`. */
  egress: EgressHandle | undefined;
  limits: ServiceLimits;
  faults: FaultInjector;
  /** The Jobs API's import and delete jobs. */
  jobs: BulkJobs;
  router: Router;
  counters(): CountersSnapshot;
  resetCounters(): void;
  /** Empties twins, relationships, models, routes, bulk jobs (a running import is cancelled); resets counters, limits windows and faults. */
  reset(): Promise<void>;
  importNdjson(text: string, source?: string): Promise<ImportSummary>;
  /** What was loaded at start from modelsDir/scenarioDir/importFile (for the CLI's start-up lines). */
  loaded: StartupLoad;
  snapshot(): EmulatorSnapshot;
  close(): Promise<void>;
}

export interface StartupLoad {
  models?: ModelSeedSummary & { dir: string };
  imports: Array<ImportSummary & { file: string }>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const identity = options.certDir ? await loadOrCreateIdentity(options.certDir) : await generateIdentity();
  const server: Server = createServer({ cert: identity.cert, key: identity.key, keepAlive: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  const url = `https://${host}`;
  const eventRouter = new EventRouter({
    host,
    ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    ...(options.delivery ? { delivery: options.delivery } : {}),
    ...(options.maxRoutes !== undefined ? { maxRoutes: options.maxRoutes } : {}),
  });
  const egress = options.egress ? attachEgress(eventRouter, options.egress) : undefined;

  const twins = new TwinStore();
  const relationships = new RelationshipStore();
  const registry = new ModelRegistry(options.models);
  const counters = new Counters();
  const limits = new ServiceLimits(options.limits);
  const faults = new FaultInjector(options.faults);
  const router = new Router();
  let persister: Persister<EmulatorSnapshot> | undefined;

  const services: EmulatorServices = {
    twins,
    relationships,
    models: registry,
    counters,
    telemetry: new TelemetryDeduplicator({ ...defaultDedupOptions, ...options.telemetryDedup }),
    payload: { ...defaultPayloadLimits, ...options.payload },
    store: { ...defaultStoreLimits, ...options.store },
    notify: (input) => void eventRouter.emit(input),
    changed: () => persister?.scheduleSave(),
  };

  const changed = services.changed;
  const { storageConnectionString, ...jobOptions } = options.jobs ?? {};
  const jobs = new BulkJobs(services, registry, {
    ...defaultBulkJobOptions,
    ...jobOptions,
    storage: storageConnectionString ? connectionStringJobStorage(storageConnectionString) : noJobStorage,
  });
  for (const route of [
    ...twinRoutes(services),
    ...componentRoutes(services),
    ...relationshipRoutes(services),
    ...telemetryRoutes(services, {
      componentModel: (model, component) => registry.interfaceOf(model)?.components.get(component)?.interfaceId,
    }),
    ...modelRoutes(registry, changed),
    ...queryRoutes(
      withQueryLag(
        querySource(services, (a, t, exact) => registry.isOfModel(a, t, exact)),
        twins,
        relationships,
        options.queryLag,
      ),
    ),
    ...eventRouteRoutes(eventRouter),
    ...jobRoutes(jobs),
  ]) {
    router.add(route);
  }

  const importNdjson = (text: string, source?: string): Promise<ImportSummary> => runImport(text, services, registry, source);
  const snapshot = (): EmulatorSnapshot => snapshotOf(twins, relationships, registry, eventRouter);
  // Only the emulator's own counters: clearing rate-limit windows here would let a test's next write
  // through that the service would throttle. reset() clears those too.
  const resetCounters = (): void => counters.reset();
  const reset = async (): Promise<void> => {
    await jobs.clear();
    twins.clear();
    relationships.clear();
    registry.clear();
    eventRouter.clear();
    services.telemetry.clear();
    counters.reset();
    limits.reset();
    faults.reset();
    egress?.reinstall();
    changed();
  };

  const sockets = new Set<import('node:stream').Duplex>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.removeAllListeners('error');
  server.on('request', (req, res) => {
    if (handleCors(req, res)) return;
    const requestUrl = new URL(req.url ?? '/', url);
    const traceparent = (Array.isArray(req.headers.traceparent) ? req.headers.traceparent[0] : req.headers.traceparent) ?? newTraceparent();
    const work = isAdminPath(requestUrl.pathname)
      ? handleAdmin(req, res, requestUrl, {
          reset,
          state: () => ({ ...snapshot(), routes: eventRouter.listRoutes() }),
          countersReport: () => ({
            emulator: counters.snapshot(),
            limits: limits.counters(),
            faults: faults.counters(),
            events: eventRouter.stats(),
          }),
          resetCounters,
          updateFaults: (o) => faults.update(o),
          updateLimits: (o) => limits.update(o),
          importNdjson,
        })
      : handleDataPlane(req, res, requestUrl, traceparent, {
          router,
          counters,
          limits,
          faults,
          baseUrl: () => url,
          host: () => host,
          onWrite: () => changed(),
        });
    work.catch((error: unknown) => {
      console.error(`ADT emulator: unhandled error for ${req.method} ${req.url}: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const loaded: StartupLoad = { imports: [] };
  try {
    if (options.persistFile) {
      persister = new Persister(options.persistFile, snapshot, options.persistDebounceMs ?? 250);
      const saved = persister.load();
      if (saved) restoreSnapshot(saved, twins, relationships, registry, eventRouter);
    }
    const { modelsDir, importFiles } = startupInputs(options);
    if (modelsDir !== undefined) loaded.models = { dir: modelsDir, ...(await seedModelDirectory(modelsDir, registry)) };
    for (const file of importFiles) loaded.imports.push({ file, ...(await importNdjson(readImportFile(file), file)) });
    if (options.importNdjson) await importNdjson(options.importNdjson);
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function closeAll(): Promise<void> {
    await jobs.stop();
    persister?.save();
    await eventRouter.close();
    await registry.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  }

  return {
    url,
    host,
    port,
    ca: identity.cert,
    caFile: options.certDir !== undefined ? join(resolve(options.certDir), 'cert.pem') : undefined,
    store: { twins, relationships },
    models: registry,
    events: eventRouter,
    egress,
    limits,
    faults,
    jobs,
    router,
    counters: () => counters.snapshot(),
    resetCounters,
    reset,
    importNdjson,
    loaded,
    snapshot,
    close: closeAll,
  };
}
