import { detectSchema, parseNotification } from '../../../shared/notifications/parse';

const trace = '00-2aa957558db348f387ef704b37631a1d-590d733a1b798149-01';
const updateData = { modelId: 'dtmi:examplecom:interfaceName;1', patch: [{ value: 'new name', path: '/room', op: 'replace' }] };

/** The docs' CloudEvents Twin.Update sample (adt-data-plane.md §9). */
const cloudUpdate = {
  specversion: '1.0',
  id: '39d4abb9-e3ee-4ed5-ad17-2243a9784946',
  type: 'Microsoft.DigitalTwins.Twin.Update',
  source: 'my-example-digital-twin.api.sea.digitaltwins.azure.net',
  data: updateData,
  subject: 'example-twin1',
  time: '2021-12-09T20:28:52.9795363Z',
  datacontenttype: 'application/json',
  traceparent: trace,
};

/** The same event in the Event Grid schema: data wraps the payload once more. */
const gridUpdate = {
  id: '39d4abb9-e3ee-4ed5-ad17-2243a9784946',
  subject: 'example-twin1',
  data: { data: updateData, contenttype: 'application/json', traceparent: trace },
  eventType: 'Microsoft.DigitalTwins.Twin.Update',
  dataVersion: '1.0',
  metadataVersion: '1',
  eventTime: '2021-12-09T20:28:52.9795363Z',
  topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/topics/t',
};

const relationship = { $relationshipId: 'r1', $etag: 'W/"e"', $sourceId: 'floor1', $relationshipName: 'contains', $targetId: 'room1' };
const twin = { $dtId: 'example-twin1', $etag: 'W/"e"', room: 'room name', $metadata: { $model: 'dtmi:examplecom:interfaceName;1' } };

function asGrid(type: string, subject: string, data: unknown) {
  return { ...gridUpdate, eventType: type, subject, data: { data, contenttype: 'application/json', traceparent: trace } };
}
function asCloud(type: string, subject: string, data: unknown) {
  return { ...cloudUpdate, type, subject, data };
}

describe('parseNotification', () => {
  it('detects the schema per event', () => {
    expect(detectSchema(cloudUpdate)).toBe('cloudEvents');
    expect(detectSchema(gridUpdate)).toBe('eventGrid');
    expect(detectSchema({ id: 'x' })).toBeUndefined();
  });

  it.each([
    ['cloudEvents', cloudUpdate],
    ['eventGrid', gridUpdate],
  ])('reads Twin.Update in the %s schema, with its traceparent', async (schema, event) => {
    const result = await parseNotification(event);
    expect(result).toEqual({
      ok: true,
      notification: {
        schema,
        id: '39d4abb9-e3ee-4ed5-ad17-2243a9784946',
        type: 'Microsoft.DigitalTwins.Twin.Update',
        subject: 'example-twin1',
        time: expect.stringMatching(/^2021-12-09T20:28:52\.979/),
        traceparent: trace,
        change: {
          kind: 'twinUpdate',
          twinId: 'example-twin1',
          modelId: 'dtmi:examplecom:interfaceName;1',
          patch: [{ op: 'replace', path: '/room', value: 'new name' }],
        },
      },
    });
  });

  describe.each([
    ['cloudEvents', asCloud],
    ['eventGrid', asGrid],
  ] as const)('%s schema', (_schema, make) => {
    it('reads Twin.Create and Twin.Delete (full twin)', async () => {
      for (const kind of ['Create', 'Delete']) {
        const result = await parseNotification(make(`Microsoft.DigitalTwins.Twin.${kind}`, 'example-twin1', twin));
        expect(result.ok && result.notification.change).toMatchObject({
          kind: `twin${kind}`,
          twinId: 'example-twin1',
          twin: { room: 'room name' },
        });
      }
    });

    it('reads Relationship.Create and Relationship.Delete', async () => {
      for (const kind of ['Create', 'Delete']) {
        const result = await parseNotification(
          make(`Microsoft.DigitalTwins.Relationship.${kind}`, 'floor1/relationships/r1', relationship),
        );
        expect(result.ok && result.notification.change).toEqual({
          kind: `relationship${kind}`,
          relationship: { relationshipId: 'r1', sourceId: 'floor1', targetId: 'room1', relationshipName: 'contains' },
        });
      }
    });

    it('reads Relationship.Update from its subject and patch', async () => {
      const result = await parseNotification(
        make('Microsoft.DigitalTwins.Relationship.Update', 'example-twin1/relationships/RuntimeEventsScenario_edge', {
          modelId: 'm',
          patch: [{ op: 'add', path: '/x', value: 1 }],
        }),
      );
      expect(result.ok && result.notification.change).toEqual({
        kind: 'relationshipUpdate',
        sourceId: 'example-twin1',
        relationshipId: 'RuntimeEventsScenario_edge',
        modelId: 'm',
        patch: [{ op: 'add', path: '/x', value: 1 }],
      });
    });

    it('acknowledges telemetry as ignored', async () => {
      const result = await parseNotification(make('microsoft.iot.telemetry', 'component1', { prop: 'hello' }));
      expect(result.ok && result.notification.change).toEqual({ kind: 'ignored', reason: 'telemetry is not a twin change' });
    });

    it('reports a bad patch op with its position', async () => {
      const result = await parseNotification(
        make('Microsoft.DigitalTwins.Twin.Update', 't', { modelId: 'm', patch: [{ op: 'move', path: '/a' }] }),
      );
      expect(result).toEqual({
        ok: false,
        malformed: expect.objectContaining({
          reason: 'Microsoft.DigitalTwins.Twin.Update: data.patch[0].op is "move"; expected add, replace or remove',
        }),
      });
    });
  });

  it('reads CloudEvents data delivered as a JSON string', async () => {
    const result = await parseNotification({ ...cloudUpdate, data: JSON.stringify(updateData) });
    expect(result.ok && result.notification.change.kind).toBe('twinUpdate');
  });

  it('rejects envelopes the schema does not allow, saying what is missing', async () => {
    const noSource = await parseNotification({ ...cloudUpdate, source: undefined });
    expect(noSource).toEqual({
      ok: false,
      malformed: {
        schema: 'cloudEvents',
        id: cloudUpdate.id,
        type: cloudUpdate.type,
        reason: "invalid CloudEvents 1.0 envelope: event is missing required property 'source'",
      },
    });
    const oldSpec = await parseNotification({ ...cloudUpdate, specversion: '0.3' });
    expect(!oldSpec.ok && oldSpec.malformed.reason).toContain('not in the Cloud Event 1.0 schema');
    const noTopic = await parseNotification({ ...gridUpdate, topic: undefined });
    expect(!noTopic.ok && noTopic.malformed.reason).toBe("invalid Event Grid envelope: event is missing required property 'topic'");
    const notObject = await parseNotification('hello');
    expect(!notObject.ok && notObject.malformed.reason).toBe('event is string, not an object');
    const badRelationship = await parseNotification(
      asCloud('Microsoft.DigitalTwins.Relationship.Create', 'a/relationships/r', { $sourceId: 'a' }),
    );
    expect(!badRelationship.ok && badRelationship.malformed.reason).toContain('data.$relationshipId is missing');
  });

  it('passes unrelated event types through as ignored', async () => {
    const result = await parseNotification({ ...gridUpdate, eventType: 'Microsoft.Storage.BlobCreated', data: {} });
    expect(result.ok && result.notification.change).toEqual({
      kind: 'ignored',
      reason: 'event type Microsoft.Storage.BlobCreated is not an Azure Digital Twins notification',
    });
  });
});
