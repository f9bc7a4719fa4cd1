// The propagation benchmark: a building of floors → rooms → sensors (avg at every level)
// and a burst of sensor updates, propagated by our Propagator and by the samples' algorithm
// (bench/naivePropagate.ts, one handler per level), each on a fresh emulator with ADT's default
// limits and query lag on, notifications delivered 16 at a time as Event Grid does. The emulator
// runs in its own process (bench/emulatorProcess.ts; deliveries reach this process over IPC), so the
// time measures the pipeline, not the emulator sharing its event loop. Measures the time from the
// last update until every parent is exact, the propagation side's ADT reads, writes and queries per
// notification, and its 429s.
import type { HttpOperationResponse, WebResourceLike } from '@azure/core-http';
import { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { CloudEventNotification } from '../local/emulator/events/schemas';
import { stubCredential, TrustingHttpClient } from '../local/emulator/trust';
import { AdtGateway, createAdtClient, emptyCallStats, SdkAdtPort } from '../shared/adt';
import { compilePipelineConfig } from '../shared/config';
import { GatewayRollupPort, Propagator, silentLogger } from '../shared/rollup';
import { rollupsOf } from '../shared/worker';
import { type DeliveryHandler, type EmulatorProcess, startEmulatorProcess } from './emulatorProcess';
import { naivePropagateHandler } from './naivePropagate';

const ids = {
  sensor: 'dtmi:benchb:Sensor;1',
  room: 'dtmi:benchb:Room;1',
  floor: 'dtmi:benchb:Floor;1',
  building: 'dtmi:benchb:Building;1',
};
const model = (id: string, rel?: [string, string]) => ({
  '@id': id,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;2',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double', writable: true },
    ...(rel ? [{ '@type': 'Relationship', name: rel[0], target: rel[1] }] : []),
  ],
});
const models = [
  model(ids.sensor),
  model(ids.room, ['hasSensor', ids.sensor]),
  model(ids.floor, ['hasRoom', ids.room]),
  model(ids.building, ['hasFloor', ids.floor]),
];

export interface BuildingShape {
  floors: number;
  roomsPerFloor: number;
  sensorsPerRoom: number;
}

export interface BuildingRunOptions {
  updates: number;
  queryLagMs: number;
  parallelDeliveries?: number;
  /** Give up waiting for exact values this long after the last update. */
  timeoutMs?: number;
  /** Prints one line per second (notifications handled, delivery backlog, calls, event-loop use) to find the bottleneck. */
  timeline?: (line: string) => void;
}

export interface BuildingRunMetrics {
  implementation: 'propagator' | 'naive';
  sensors: number;
  parents: number;
  updates: number;
  /** Notifications the propagation side handled (sensor updates plus derived writes). */
  notifications: number;
  /** From the last sensor update until every parent holds the exact value; undefined = never within the timeout. */
  exactAfterMs: number | undefined;
  reads: number;
  writes: number;
  queries: number;
  callsPerNotification: number;
  throttled429: number;
  deliveriesFailed: number;
  /** Notifications waiting for delivery when the last update was written: the work left after it. */
  backlogAtLastUpdate: number;
  /** Share of the run's wall time this process's event loop was busy (1 = CPU-bound in this process). */
  eventLoopUtilization: number;
  /** CPU time this process used during the run (all threads), ms. */
  cpuMs: number;
}

/** Counts the propagation side's requests by kind, and its 429s. */
class CountingHttpClient extends TrustingHttpClient {
  readonly counts = { reads: 0, writes: 0, queries: 0, throttled: 0 };
  override async sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    if (request.url.includes('/query')) this.counts.queries++;
    else if (request.method === 'GET') this.counts.reads++;
    else this.counts.writes++;
    const response = await super.sendRequest(request);
    if (response.status === 429) this.counts.throttled++;
    return response;
  }
}

interface Graph {
  sensors: string[];
  rooms: { id: string; floor: string; sensors: string[] }[];
  floors: { id: string; rooms: string[] }[];
}

function importFile(shape: BuildingShape): { ndjson: string; graph: Graph } {
  const lines: unknown[] = [
    { Section: 'Header' },
    { fileVersion: '1.0.0', author: 'bench', organization: 'bench' },
    { Section: 'Models' },
    ...models,
    { Section: 'Twins' },
  ];
  const rels: unknown[] = [];
  const graph: Graph = { sensors: [], rooms: [], floors: [] };
  lines.push({ $dtId: 'building', $metadata: { $model: ids.building } });
  for (let f = 0; f < shape.floors; f++) {
    const floor = { id: `floor-${f}`, rooms: [] as string[] };
    lines.push({ $dtId: floor.id, $metadata: { $model: ids.floor } });
    rels.push({ $dtId: 'building', $relationshipId: `hasFloor-${floor.id}`, $targetId: floor.id, $relationshipName: 'hasFloor' });
    for (let r = 0; r < shape.roomsPerFloor; r++) {
      const room = { id: `room-${f}-${r}`, floor: floor.id, sensors: [] as string[] };
      floor.rooms.push(room.id);
      lines.push({ $dtId: room.id, $metadata: { $model: ids.room } });
      rels.push({ $dtId: floor.id, $relationshipId: `hasRoom-${room.id}`, $targetId: room.id, $relationshipName: 'hasRoom' });
      for (let s = 0; s < shape.sensorsPerRoom; s++) {
        const sensor = `sensor-${f}-${r}-${s}`;
        room.sensors.push(sensor);
        graph.sensors.push(sensor);
        lines.push({ $dtId: sensor, $metadata: { $model: ids.sensor }, temperature: 0 });
        rels.push({ $dtId: room.id, $relationshipId: `hasSensor-${sensor}`, $targetId: sensor, $relationshipName: 'hasSensor' });
      }
      graph.rooms.push(room);
    }
    graph.floors.push(floor);
  }
  lines.push({ Section: 'Relationships' }, ...rels);
  return { ndjson: lines.map((l) => JSON.stringify(l)).join('\n'), graph };
}

const avg = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Every parent's expected value from the sensors' last values, computed directly. */
function expectedValues(graph: Graph, last: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const room of graph.rooms) out.set(room.id, avg(room.sensors.map((s) => last.get(s) ?? 0)));
  for (const floor of graph.floors) out.set(floor.id, avg(floor.rooms.map((r) => out.get(r) as number)));
  out.set('building', avg(graph.floors.map((f) => out.get(f.id) as number)));
  return out;
}

async function allExact(emulator: EmulatorProcess, expected: Map<string, number>): Promise<boolean> {
  const twins = await emulator.twins([...expected.keys()]);
  if (twins.length !== expected.size) return false;
  return twins.every((t) => typeof t.temperature === 'number' && Math.abs(t.temperature - (expected.get(t.$dtId) as number)) <= 1e-6);
}

const rulesConfig = (queryLagMs: number) => ({
  rollups: {
    settings: { queryLagSeconds: (queryLagMs + 200) / 1000, maxChildren: 100_000 },
    rules: [
      {
        name: 'room',
        parentModel: ids.room,
        relationships: ['hasSensor'],
        childModel: ids.sensor,
        properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
      },
      {
        name: 'floor',
        parentModel: ids.floor,
        relationships: ['hasRoom'],
        childModel: ids.room,
        properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
      },
      {
        name: 'building',
        parentModel: ids.building,
        relationships: ['hasFloor'],
        childModel: ids.floor,
        properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
      },
    ],
  },
});

export async function runBuilding(
  implementation: 'propagator' | 'naive',
  shape: BuildingShape,
  options: BuildingRunOptions,
): Promise<BuildingRunMetrics> {
  const parallel = options.parallelDeliveries ?? 16;
  // Deliveries go to whichever handler the implementation installs below.
  let deliver: DeliveryHandler = async () => {
    throw new Error('No propagation handler yet.');
  };
  const { ndjson, graph } = importFile(shape);
  const emulator = await startEmulatorProcess(
    {
      queryLag: { lagMs: options.queryLagMs },
      endpoints: [
        {
          name: 'propagate',
          kind: 'subscriber',
          schema: 'CloudEvents',
          concurrency: parallel,
          delivery: { maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 1000 },
        },
      ],
    },
    ndjson,
    { forward: ['propagate'], onDelivery: (endpoint, event) => deliver(endpoint, event) },
  );
  const http = new CountingHttpClient(emulator.ca);
  const writerHttp = new TrustingHttpClient(emulator.ca);
  const adminHttp = new TrustingHttpClient(emulator.ca);
  const admin = new DigitalTwinsClient(emulator.url, stubCredential, { httpClient: adminHttp });
  let propagator: Propagator | undefined;
  try {
    let notifications = 0;
    if (implementation === 'propagator') {
      const compiled = rollupsOf(compilePipelineConfig(rulesConfig(options.queryLagMs), 'bench'));
      const port = new GatewayRollupPort(
        new AdtGateway({ port: new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient: http })) }),
      );
      const running = new Propagator({ compiled, port });
      propagator = running;
      deliver = async (_endpoint, event) => {
        notifications++;
        await running.handle(event, silentLogger);
      };
    } else {
      const client = new DigitalTwinsClient(emulator.url, stubCredential, { httpClient: http });
      const levels = [
        naivePropagateHandler(client, ids.sensor, 'hasSensor'),
        naivePropagateHandler(client, ids.room, 'hasRoom'),
        naivePropagateHandler(client, ids.floor, 'hasFloor'),
      ];
      deliver = async (_endpoint, event) => {
        notifications++;
        for (const level of levels) await level(event as CloudEventNotification);
      };
    }
    await admin.upsertEventRoute('to-propagate', 'propagate', "type = 'Microsoft.DigitalTwins.Twin.Update'");
    // The index must show the imported graph before the first query relies on it.
    await new Promise((resolve) => setTimeout(resolve, options.queryLagMs + 50));

    // The burst: round-robin over the sensors, through a gateway (so the writer keeps ADT's budgets).
    const loopAtStart = performance.eventLoopUtilization();
    const cpuAtStart = process.cpuUsage();
    const startedAt = performance.now();
    let previous = { handled: 0, ...http.counts };
    const sample = async (): Promise<void> => {
      const c = { ...http.counts };
      const handled = notifications;
      const backlog = (await emulator.eventStats()).endpoints.propagate?.pending ?? 0;
      options.timeline?.(
        `t=${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)} s  handled ${String(notifications - previous.handled).padStart(5)}/s  backlog ${String(backlog).padStart(6)}  reads ${String(c.reads - previous.reads).padStart(5)}/s  writes ${String(c.writes - previous.writes).padStart(5)}/s  queries ${String(c.queries - previous.queries).padStart(4)}/s  loop ${(performance.eventLoopUtilization(loopAtStart).utilization * 100).toFixed(0)} %`,
      );
      previous = { handled, ...c };
    };
    const sampler = options.timeline ? setInterval(() => void sample(), 1000) : undefined;
    const writer = new AdtGateway({
      port: new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient: writerHttp })),
    });
    const last = new Map<string, number>();
    const lanes = Math.min(graph.sensors.length, 200);
    let next = 0;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < options.updates) {
          const k = next++;
          const sensor = graph.sensors[k % graph.sensors.length] as string;
          const value = Math.round(Math.sin(k) * 1000) / 10 + 20;
          last.set(sensor, value);
          await writer.updateTwin(sensor, [{ op: 'add', path: '/temperature', value }], {
            deadline: Date.now() + 600_000,
            stats: emptyCallStats(),
          });
        }
      }),
    );
    const lastUpdateAt = performance.now();
    const backlogAtLastUpdate = (await emulator.eventStats()).endpoints.propagate?.pending ?? 0;
    const expected = expectedValues(graph, last);
    const timeoutMs = options.timeoutMs ?? 120_000;
    let exactAfterMs: number | undefined;
    while (performance.now() - lastUpdateAt < timeoutMs) {
      if (await allExact(emulator, expected)) {
        exactAfterMs = performance.now() - lastUpdateAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Counts cover the whole burst: wait until the propagation side is quiet too (bounded).
    await Promise.race([
      (async () => {
        await emulator.eventsIdle();
        await propagator?.idle();
      })(),
      new Promise((resolve) => setTimeout(resolve, 30_000)),
    ]);
    if (sampler) {
      clearInterval(sampler);
      await sample(); // the last (partial) second
    }
    const { reads, writes, queries, throttled } = http.counts;
    const cpu = process.cpuUsage(cpuAtStart);
    return {
      implementation,
      sensors: graph.sensors.length,
      parents: expected.size,
      updates: options.updates,
      notifications,
      exactAfterMs,
      reads,
      writes,
      queries,
      callsPerNotification: (reads + writes + queries) / Math.max(1, notifications),
      throttled429: throttled,
      deliveriesFailed: (await emulator.eventStats()).endpoints.propagate?.deadLettered ?? 0,
      backlogAtLastUpdate,
      eventLoopUtilization: performance.eventLoopUtilization(loopAtStart).utilization,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  } finally {
    propagator?.close();
    http.destroy();
    writerHttp.destroy();
    adminHttp.destroy();
    await emulator.close();
  }
}
