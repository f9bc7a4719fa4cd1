// Retiring and creating a device's twin through the gateway: relationships (outgoing and incoming)
// are deleted before the twin, a twin already gone (at any step) is filtered, a create meets an
// existing twin without touching it, and a model ADT lacks is no-model-for-device.
import { AdtRequestError } from '../../../../shared/adt/errors';
import { AdtGateway, type CallContext } from '../../../../shared/adt/gateway';
import { emptyCallStats } from '../../../../shared/adt/retry';
import type { IncomingRelationship, PortCallOptions, Relationship } from '../../../../shared/adt/types';
import { applyLifecycle } from '../../../../shared/ingest/write/lifecycleWriter';
import { FakeClock, FakePort } from '../../adt/fakes';

class RetiringPort extends FakePort {
  readonly relationships: Relationship[] = [];
  readonly deleted: string[] = [];

  override async listRelationships(twinId: string, _name: string | undefined, _options: PortCallOptions): Promise<Relationship[]> {
    if (!this.twins.has(twinId)) throw new AdtRequestError('gone', 404, 'DigitalTwinNotFound');
    return this.relationships.filter((r) => r.$sourceId === twinId);
  }

  override async listIncomingRelationships(twinId: string, _options: PortCallOptions): Promise<IncomingRelationship[]> {
    return this.relationships
      .filter((r) => r.$targetId === twinId)
      .map((r) => ({ relationshipId: r.$relationshipId, sourceId: r.$sourceId, relationshipName: r.$relationshipName }));
  }

  async deleteRelationship(sourceId: string, relationshipId: string, _options: PortCallOptions): Promise<void> {
    const index = this.relationships.findIndex((r) => r.$sourceId === sourceId && r.$relationshipId === relationshipId);
    if (index < 0) throw new AdtRequestError('no relationship', 404, 'RelationshipNotFound');
    this.relationships.splice(index, 1);
    this.deleted.push(`${sourceId}/${relationshipId}`);
  }

  async deleteTwin(twinId: string, _options: PortCallOptions): Promise<void> {
    if (!this.twins.has(twinId)) throw new AdtRequestError('gone', 404, 'DigitalTwinNotFound');
    if (this.relationships.some((r) => r.$sourceId === twinId || r.$targetId === twinId))
      throw new AdtRequestError('has relationships', 400, 'RelationshipsNotDeleted');
    this.twins.delete(twinId);
    this.deleted.push(twinId);
  }
}

function setup() {
  const clock = new FakeClock();
  const port = new RetiringPort();
  const gateway = new AdtGateway({ port, clock });
  const ctx = (): CallContext => ({ deadline: clock.now() + 60_000, stats: emptyCallStats() });
  const rel = (source: string, id: string, target: string): Relationship => ({
    $sourceId: source,
    $relationshipId: id,
    $targetId: target,
    $relationshipName: 'hasDevice',
  });
  return { port, gateway, ctx, rel };
}

it('retires a twin after its outgoing and incoming relationships, and filters a second retirement', async () => {
  const { port, gateway, ctx, rel } = setup();
  port.addTwin('dev-1');
  port.addTwin('room-1');
  port.relationships.push(rel('room-1', 'r1', 'dev-1'), rel('dev-1', 'r2', 'room-1'), rel('room-1', 'r3', 'other'));
  expect(await applyLifecycle({ kind: 'delete', twinId: 'dev-1', eventKey: 'e1' }, gateway, ctx(), Date.now)).toEqual({
    outcome: 'applied',
  });
  expect(port.deleted).toEqual(['dev-1/r2', 'room-1/r1', 'dev-1']);
  expect(port.relationships.map((r) => r.$relationshipId)).toEqual(['r3']);
  expect(await applyLifecycle({ kind: 'delete', twinId: 'dev-1', eventKey: 'e2' }, gateway, ctx(), Date.now)).toMatchObject({
    outcome: 'filtered',
    reason: 'twin-already-gone',
  });
});

it('creates a twin with its model and components, leaves an existing one alone, and filters a model ADT lacks', async () => {
  const { port, gateway, ctx } = setup();
  expect(
    await applyLifecycle({ kind: 'create', twinId: 'dev-2', modelId: 'dtmi:test:Room;1', eventKey: 'e1' }, gateway, ctx(), Date.now),
  ).toEqual({ outcome: 'applied' });
  expect(port.twins.get('dev-2')).toMatchObject({ $metadata: { $model: 'dtmi:test:Room;1' }, sensor: { $metadata: {} } });
  expect(
    await applyLifecycle({ kind: 'create', twinId: 'dev-2', modelId: 'dtmi:test:Room;1', eventKey: 'e2' }, gateway, ctx(), Date.now),
  ).toMatchObject({ outcome: 'filtered', reason: 'twin-exists' });
  expect(
    await applyLifecycle({ kind: 'create', twinId: 'dev-3', modelId: 'dtmi:test:Nowhere;1', eventKey: 'e3' }, gateway, ctx(), Date.now),
  ).toMatchObject({ outcome: 'filtered', reason: 'no-model-for-device' });
  expect(port.twins.has('dev-3')).toBe(false);
});
