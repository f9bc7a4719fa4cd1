// The sample building's derived values computed plainly from the telemetry envelopes, independent of
// the pipeline: last reading per device by enqueuedTime, then the roll-up rules of
// local/scenarios/building/pipeline.yaml written out by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { TelemetryEnvelope } from '../../../local/runner/envelope';
import { buildingScenario } from './runLocal';

type Body = Record<string, unknown>;

export interface Expected {
  devices: Map<string, Body>;
  twins: Map<string, Record<string, number | boolean>>;
}

interface Edge {
  source: string;
  target: string;
  name: string;
}

function edges(): Edge[] {
  const lines = readFileSync(join(buildingScenario, 'graph.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => typeof o.$relationshipName === 'string')
    .map((o) => ({ source: String(o.$dtId), target: String(o.$targetId), name: String(o.$relationshipName) }));
}

const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function expectedFromTelemetry(envelopes: TelemetryEnvelope[]): Expected {
  // 1. Last body per device by enqueuedTime (stable for equal times: later line wins).
  const latest = new Map<string, { at: number; body: Body }>();
  for (const e of envelopes) {
    if (e.body === undefined) continue;
    const at = Date.parse(e.enqueuedTime);
    const previous = latest.get(e.deviceId);
    if (!previous || at >= previous.at) latest.set(e.deviceId, { at, body: e.body as Body });
  }
  const devices = new Map([...latest].map(([id, v]) => [id, v.body]));
  const children = (parent: string, name: string): string[] =>
    edges()
      .filter((e) => e.source === parent && e.name === name)
      .map((e) => e.target);
  const twins = new Map<string, Record<string, number | boolean>>();

  // 2. Rooms: thermostat → temperature/humidity (avg), air quality → co2 (max), occupancy → occupied (any), peopleCount (sum of "count").
  const rooms = [
    ...new Set(
      edges()
        .filter((e) => e.name === 'hasDevice')
        .map((e) => e.source),
    ),
  ];
  for (const room of rooms) {
    const devs = children(room, 'hasDevice');
    const of = (prefix: string, field: string): unknown[] =>
      devs.filter((d) => d.startsWith(prefix)).flatMap((d) => (devices.get(d)?.[field] === undefined ? [] : [devices.get(d)?.[field]]));
    const values: Record<string, number | boolean> = {};
    const temps = of('thermostat-', 'temperature') as number[];
    if (temps.length) values.temperature = avg(temps);
    const hums = of('thermostat-', 'humidity') as number[];
    if (hums.length) values.humidity = avg(hums);
    const co2 = of('airquality-', 'co2') as number[];
    if (co2.length) values.co2 = Math.max(...co2);
    const occupied = of('occupancy-', 'occupied') as boolean[];
    if (occupied.length) values.occupied = occupied.some(Boolean);
    const people = of('occupancy-', 'count') as number[];
    if (people.length) values.peopleCount = people.reduce((a, b) => a + b, 0);
    twins.set(room, values);
  }

  // 3. Floors over their rooms.
  const floors = [
    ...new Set(
      edges()
        .filter((e) => e.name === 'hasRoom')
        .map((e) => e.source),
    ),
  ];
  for (const floor of floors) {
    const rs = children(floor, 'hasRoom').map((r) => twins.get(r) ?? {});
    const temps = rs.flatMap((r) => (typeof r.temperature === 'number' ? [r.temperature] : []));
    const people = rs.flatMap((r) => (typeof r.peopleCount === 'number' ? [r.peopleCount] : []));
    twins.set(floor, {
      avgTemperature: avg(temps),
      maxTemperature: Math.max(...temps),
      peopleCount: people.reduce((a, b) => a + b, 0),
      occupiedRooms: rs.filter((r) => r.occupied === true).length,
    });
  }

  // 4. The building over its floors.
  for (const building of [
    ...new Set(
      edges()
        .filter((e) => e.name === 'hasFloor')
        .map((e) => e.source),
    ),
  ]) {
    const fs = children(building, 'hasFloor').map((f) => twins.get(f) ?? {});
    const n = (k: string): number[] => fs.flatMap((f) => (typeof f[k] === 'number' ? [f[k] as number] : []));
    twins.set(building, {
      avgTemperature: avg(n('avgTemperature')),
      maxTemperature: Math.max(...n('maxTemperature')),
      peopleCount: n('peopleCount').reduce((a, b) => a + b, 0),
      occupiedRooms: n('occupiedRooms').reduce((a, b) => a + b, 0),
    });
  }
  return { devices, twins };
}
