// Test doubles for the gateway: a virtual clock and an in-memory AdtPort with scripted failures.

import { roomModel, sensorModel } from '../../../bench/fixtures/testModels';
import { AdtRequestError } from '../../../shared/adt/errors';
import type {
  AdtPort,
  IncomingRelationship,
  JsonPatchOperation,
  PortCallOptions,
  Relationship,
  TelemetryMessage,
  Twin,
} from '../../../shared/adt/types';
import type { Clock } from '../../../shared/common';

/** Virtual time: sleep() advances the clock instead of waiting, and records every wait. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
    await Promise.resolve();
  }
}

// The shared test models (one Room with a Sensor component), re-exported for the tests that use the fakes.
export { roomModel, sensorModel } from '../../../bench/fixtures/testModels';

export type Failure = { status?: number; code?: string; message?: string; retryAfterMs?: number };

/** In-memory ADT with just enough semantics: twins, add-patches, 404s, unresolvable parents, scripted failures. */
export class FakePort implements AdtPort {
  readonly twins = new Map<string, Twin>();
  readonly calls: Array<{
    method: string;
    twinId?: string;
    patch?: JsonPatchOperation[];
    options?: PortCallOptions;
    telemetry?: TelemetryMessage;
  }> = [];
  /** Failures returned, in order, before calls of `method` succeed. */
  readonly script = new Map<string, Failure[]>();
  inFlight = new Map<string, number>();
  maxInFlightPerTwin = 0;
  maxInFlight = 0;
  private totalInFlight = 0;
  /** Real async delay per call, to let concurrency show. */
  delayMs = 0;

  constructor(readonly models: unknown[] = [roomModel, sensorModel]) {}

  addTwin(id: string, extra: Record<string, unknown> = {}): void {
    this.twins.set(id, { $dtId: id, $etag: 'W/"1"', $metadata: { $model: roomModel['@id'] }, sensor: { $metadata: {} }, ...extra } as Twin);
  }

  count(method: string, twinId?: string): number {
    return this.calls.filter((c) => c.method === method && (twinId === undefined || c.twinId === twinId)).length;
  }

  async getTwin(twinId: string, options: PortCallOptions): Promise<{ twin: Twin; etag: string | undefined }> {
    return this.run('getTwin', twinId, options, () => {
      const twin = this.twins.get(twinId);
      if (!twin)
        throw new AdtRequestError(`There is no digital twin instance that exists with the ID ${twinId}.`, 404, 'DigitalTwinNotFound');
      return { twin: structuredClone(twin), etag: twin.$etag };
    });
  }

  async createTwin(
    twinId: string,
    twin: Record<string, unknown>,
    options: PortCallOptions & { ifNoneMatch?: '*' },
  ): Promise<{ twin: Twin; etag: string | undefined }> {
    return this.run('createTwin', twinId, options, () => {
      if (this.twins.has(twinId)) throw new AdtRequestError('exists', 412, 'PreconditionFailed');
      const created = { ...twin, $dtId: twinId, $etag: 'W/"c"' } as Twin;
      this.twins.set(twinId, created);
      return { twin: structuredClone(created), etag: created.$etag };
    });
  }

  async updateTwin(
    twinId: string,
    patch: JsonPatchOperation[],
    options: PortCallOptions & { ifMatch?: string },
  ): Promise<{ etag: string | undefined }> {
    return this.run(
      'updateTwin',
      twinId,
      options,
      () => {
        const twin = this.twins.get(twinId);
        if (!twin) throw new AdtRequestError('not found', 404, 'DigitalTwinNotFound');
        const copy = structuredClone(twin) as Record<string, unknown>;
        for (const op of patch) {
          const segments = op.path.split('/').slice(1);
          const last = segments.pop() as string;
          let node: Record<string, unknown> = copy;
          for (const s of segments) {
            if (node[s] === undefined && segments.includes('$metadata')) node[s] = {};
            const next = node[s];
            if (typeof next !== 'object' || next === null)
              throw new AdtRequestError(
                `Could not resolve path ${op.path}. Please provide a valid patch document.`,
                400,
                'JsonPatchInvalid',
              );
            node = next as Record<string, unknown>;
          }
          if (op.path.endsWith('/temperature') && typeof op.value !== 'number')
            throw new AdtRequestError('Invalid twin specified', 400, 'ValidationFailed');
          node[last] = op.value;
        }
        (copy as Twin).$etag = `W/"${this.calls.length}"`;
        this.twins.set(twinId, copy as Twin);
        return { etag: (copy as Twin).$etag };
      },
      patch,
    );
  }

  async publishTelemetry(message: TelemetryMessage, options: PortCallOptions): Promise<void> {
    await this.run('publishTelemetry', message.twinId, options, () => undefined, undefined, message);
  }

  async listRelationships(twinId: string, _name: string | undefined, options: PortCallOptions): Promise<Relationship[]> {
    return this.run('listRelationships', twinId, options, () => []);
  }

  async listIncomingRelationships(twinId: string, options: PortCallOptions): Promise<IncomingRelationship[]> {
    return this.run('listIncomingRelationships', twinId, options, () => []);
  }

  async query(_query: string, options: PortCallOptions): Promise<unknown[]> {
    return this.run('query', undefined, options, () => []);
  }

  async getModelsWithDependencies(_ids: string[], options: PortCallOptions): Promise<unknown[]> {
    return this.run('getModels', undefined, options, () => this.models);
  }

  private async run<T>(
    method: string,
    twinId: string | undefined,
    options: PortCallOptions,
    body: () => T,
    patch?: JsonPatchOperation[],
    telemetry?: TelemetryMessage,
  ): Promise<T> {
    this.calls.push({ method, twinId, patch, options, telemetry });
    const key = twinId ?? '';
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    this.totalInFlight += 1;
    this.maxInFlightPerTwin = Math.max(this.maxInFlightPerTwin, twinId ? (this.inFlight.get(key) ?? 0) : 0);
    this.maxInFlight = Math.max(this.maxInFlight, this.totalInFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      const failure = this.script.get(method)?.shift();
      if (failure)
        throw new AdtRequestError(failure.message ?? `scripted ${failure.status}`, failure.status, failure.code, failure.retryAfterMs);
      return body();
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
      this.totalInFlight -= 1;
    }
  }
}
