// startEmulator(): an HTTPS server that speaks the ADT data plane well enough that an unmodified
// DigitalTwinsClient (SDK 1.1.0) cannot tell it from the real service. See README.md.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isAdminPath, handleAdmin } from './admin';
import { Counters, type CountersSnapshot } from './counters';
import { EventRouter, newTraceparent } from './events';
import { FaultInjector } from './faults';
import { componentRoutes } from './handlers/components';
import { eventRouteRoutes } from './handlers/eventRoutes';
import { modelRoutes } from './handlers/models';
import { querySource, queryRoutes } from './handlers/query';
import { withQueryLag } from './query/laggedSource';
import { relationshipRoutes } from './handlers/relationships';
import { telemetryRoutes } from './handlers/telemetry';
import { twinRoutes } from './handlers/twins';
import { handleDataPlane } from './http/pipeline';
import { Router } from './http/router';
import { runImport, type ImportSummary } from './importJob';
import { ServiceLimits } from './limits';
import { ModelRegistry } from './models/modelRegistry';
import type { EmulatorOptions } from './options';
import { defaultPayloadLimits } from './payloadLimits';
import { Persister } from './persistence';
import { defaultStoreLimits, type EmulatorServices } from './services';
import { snapshotOf, restoreSnapshot, type EmulatorSnapshot } from './snapshot';
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
  store: { twins: TwinStore; relationships: RelationshipStore };
  models: ModelRegistry;
  events: EventRouter;
  limits: ServiceLimits;
  faults: FaultInjector;
  router: Router;
  counters(): CountersSnapshot;
  resetCounters(): void;
  /** Empties twins, relationships, models, routes; resets counters, limits windows and faults. */
  reset(): Promise<void>;
  importNdjson(text: string): Promise<ImportSummary>;
  snapshot(): EmulatorSnapshot;
  close(): Promise<void>;
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
  for (const route of [
    ...twinRoutes(services),
    ...componentRoutes(services),
    ...relationshipRoutes(services),
    ...telemetryRoutes(services, { componentModel: (model, component) => registry.interfaceOf(model)?.components.get(component)?.interfaceId }),
    ...modelRoutes(registry, changed),
    ...queryRoutes(withQueryLag(querySource(services, (a, t, exact) => registry.isOfModel(a, t, exact)), twins, relationships, options.queryLag)),
    ...eventRouteRoutes(eventRouter),
  ]) {
    router.add(route);
  }

  const importNdjson = (text: string): Promise<ImportSummary> => runImport(text, services, registry);
  const snapshot = (): EmulatorSnapshot => snapshotOf(twins, relationships, registry, eventRouter);
  // Only the emulator's own counters: clearing rate-limit windows here would let a test's next write
  // through that the service would throttle. reset() clears those too.
  const resetCounters = (): void => counters.reset();
  const reset = async (): Promise<void> => {
    twins.clear();
    relationships.clear();
    registry.clear();
    eventRouter.clear();
    services.telemetry.clear();
    counters.reset();
    limits.reset();
    faults.reset();
    changed();
  };

  const sockets = new Set<import('node:stream').Duplex>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.removeAllListeners('error');
  server.on('request', (req, res) => {
    const requestUrl = new URL(req.url ?? '/', url);
    const traceparent = (Array.isArray(req.headers.traceparent) ? req.headers.traceparent[0] : req.headers.traceparent) ?? newTraceparent();
    const work = isAdminPath(requestUrl.pathname)
      ? handleAdmin(req, res, requestUrl, {
          reset,
          state: () => ({ ...snapshot(), routes: eventRouter.listRoutes() }),
          countersReport: () => ({ emulator: counters.snapshot(), limits: limits.counters(), faults: faults.counters(), events: eventRouter.stats() }),
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

  try {
    if (options.persistFile) {
      persister = new Persister(options.persistFile, snapshot, options.persistDebounceMs ?? 250);
      const saved = persister.load();
      if (saved) restoreSnapshot(saved, twins, relationships, registry, eventRouter);
    }
    if (options.importFile) await importNdjson(readFileSync(options.importFile, 'utf8'));
    if (options.importNdjson) await importNdjson(options.importNdjson);
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function closeAll(): Promise<void> {
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
    store: { twins, relationships },
    models: registry,
    events: eventRouter,
    limits,
    faults,
    router,
    counters: () => counters.snapshot(),
    resetCounters,
    reset,
    importNdjson,
    snapshot,
    close: closeAll,
  };
}
