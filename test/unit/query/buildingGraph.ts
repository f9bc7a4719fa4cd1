// In-memory QuerySource over a small building graph, shared by the query engine's unit tests.
// building-1 ─contains→ floor-1/2 ─contains→ rooms ─hasDevice→ thermostats ─reportsTo→ gateway-1 ─uplink→ hub-1
import { AdtError } from '../../../local/emulator/errors';
import { executeQuery, type QueryPage, type QuerySource } from '../../../local/emulator/query';
import type { RelationshipDoc, TwinDoc } from '../../../local/emulator/types';

export const MODEL = {
  space: 'dtmi:test:Space;1',
  building: 'dtmi:test:Building;1',
  floor: 'dtmi:test:Floor;1',
  room: 'dtmi:test:Room;1',
  meetingRoom: 'dtmi:test:MeetingRoom;1',
  thermostat: 'dtmi:test:Thermostat;1',
  smartThermostat: 'dtmi:test:SmartThermostat;1',
  gateway: 'dtmi:test:Gateway;1',
  hub: 'dtmi:test:Hub;1',
} as const;

/** child → parents (`extends`). */
const EXTENDS: Record<string, string[]> = {
  [MODEL.building]: [MODEL.space],
  [MODEL.floor]: [MODEL.space],
  [MODEL.room]: [MODEL.space],
  [MODEL.meetingRoom]: [MODEL.room],
  [MODEL.smartThermostat]: [MODEL.thermostat],
};

const UPDATED = '2026-01-01T00:00:00.0000000Z';

function twin(id: string, model: string, props: Record<string, unknown> = {}, sourceTimes: Record<string, string> = {}): TwinDoc {
  const metadata: TwinDoc['$metadata'] = { $model: model, $lastUpdateTime: UPDATED };
  for (const key of Object.keys(props)) {
    const sourceTime = sourceTimes[key];
    metadata[key] = sourceTime ? { lastUpdateTime: UPDATED, sourceTime } : { lastUpdateTime: UPDATED };
  }
  return { $dtId: id, $etag: `W/"etag-${id}"`, ...props, $metadata: metadata };
}

function rel(sourceId: string, name: string, targetId: string, props: Record<string, unknown> = {}): RelationshipDoc {
  return {
    $relationshipId: `${sourceId}-${name}-${targetId}`,
    $etag: `W/"etag-${sourceId}-${targetId}"`,
    $sourceId: sourceId,
    $relationshipName: name,
    $targetId: targetId,
    ...props,
  };
}

export class InMemoryQuerySource implements QuerySource {
  readonly twinMap = new Map<string, TwinDoc>();
  readonly relationshipList: RelationshipDoc[] = [];

  add(doc: TwinDoc): this {
    this.twinMap.set(doc.$dtId, doc);
    return this;
  }

  relate(relationship: RelationshipDoc): this {
    this.relationshipList.push(relationship);
    return this;
  }

  twins(): Iterable<TwinDoc> {
    return this.twinMap.values();
  }

  twin(id: string): TwinDoc | undefined {
    return this.twinMap.get(id);
  }

  outgoing(twinId: string): Iterable<RelationshipDoc> {
    return this.relationshipList.filter((r) => r.$sourceId === twinId);
  }

  incoming(twinId: string): Iterable<RelationshipDoc> {
    return this.relationshipList.filter((r) => r.$targetId === twinId);
  }

  relationships(): Iterable<RelationshipDoc> {
    return this.relationshipList;
  }

  isOfModel(actual: string, target: string, exact: boolean): boolean {
    if (actual === target) return true;
    if (exact) return false;
    return (EXTENDS[actual] ?? []).some((parent) => this.isOfModel(parent, target, false));
  }
}

export function buildingGraph(): InMemoryQuerySource {
  return (
    new InMemoryQuerySource()
      .add(
        twin('building-1', MODEL.building, {
          name: 'HQ',
          address: { city: 'Utrecht', postal: { code: '3511' } },
          tags: ['hq', 'main'],
          floors: 2,
        }),
      )
      .add(twin('floor-1', MODEL.floor, { name: 'Ground', level: 1 }))
      .add(twin('floor-2', MODEL.floor, { name: 'First', level: 2 }))
      .add(twin('room-101', MODEL.room, { name: 'Room 101', temperature: 21.5, occupied: true }, { temperature: '2026-01-01T10:00:00Z' }))
      .add(twin('room-102', MODEL.meetingRoom, { name: 'Board room', temperature: 23, occupied: false, capacity: 12 }))
      .add(twin('room-201', MODEL.room, { name: 'Room 201', temperature: null, occupied: false }))
      .add(twin('room-202', MODEL.room, { name: "Kitchen's corner", occupied: true }))
      .add(twin('thermostat-101', MODEL.thermostat, { setpoint: 21, select: 'reserved-word property' }))
      .add(twin('thermostat-102', MODEL.smartThermostat, { setpoint: 22 }))
      .add(twin('thermostat-201', MODEL.thermostat, { setpoint: '20' }))
      .add(twin('gateway-1', MODEL.gateway, { firmware: '2.1.0' }))
      .add(twin('hub-1', MODEL.hub, { region: 'westeurope' }))
      .relate(rel('building-1', 'contains', 'floor-1'))
      .relate(rel('building-1', 'contains', 'floor-2'))
      .relate(rel('floor-1', 'contains', 'room-101'))
      .relate(rel('floor-1', 'contains', 'room-102'))
      .relate(rel('floor-2', 'contains', 'room-201'))
      .relate(rel('floor-2', 'contains', 'room-202'))
      .relate(rel('room-101', 'hasDevice', 'thermostat-101', { since: 2020 }))
      .relate(rel('room-102', 'hasDevice', 'thermostat-102', { since: 2022 }))
      .relate(rel('room-201', 'hasDevice', 'thermostat-201'))
      // Dangling: its target twin does not exist, so an inner JOIN must drop it.
      .relate(rel('room-202', 'hasDevice', 'ghost-thermostat'))
      .relate(rel('thermostat-101', 'reportsTo', 'gateway-1'))
      .relate(rel('thermostat-102', 'reportsTo', 'gateway-1'))
      .relate(rel('gateway-1', 'uplink', 'hub-1', { protocol: 'amqp' }))
  );
}

/** Runs a query to the end, following continuation tokens, and returns every row. */
export function runAll(query: string, source: QuerySource = buildingGraph(), maxItemsPerPage?: number): unknown[] {
  const rows: unknown[] = [];
  let page: QueryPage = executeQuery(query, source, { maxItemsPerPage });
  rows.push(...page.value);
  while (page.continuationToken) {
    page = executeQuery(query, source, { maxItemsPerPage, continuationToken: page.continuationToken });
    rows.push(...page.value);
  }
  return rows;
}

/** `$dtId` of every row of a `SELECT *` twin query. */
export function dtIds(query: string, source?: QuerySource): string[] {
  return runAll(query, source).map((row) => (row as TwinDoc).$dtId);
}

/** Runs `fn`, expecting an AdtError; returns it for assertions. */
export function adtErrorOf(fn: () => unknown): AdtError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AdtError) return error;
    throw error;
  }
  throw new Error('expected an AdtError but the call succeeded');
}

export function queryError(query: string, source: QuerySource = buildingGraph()): AdtError {
  return adtErrorOf(() => executeQuery(query, source, {}));
}
