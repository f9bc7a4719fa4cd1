// What the emulator hands to the event router on each change (reference §9 shapes), and telemetry.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import type { Notification } from '../../../local/emulator/types';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { createFloor, createRoom, models, restError, ROOM, THERMOSTAT } from './fixtures';

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;
let seen: Notification[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ limits: { perTwinWritesPerSecond: 1000 } });
  client = createTestClient(emulator);
  await client.createModels(models);
  emulator.events.tap((n) => seen.push(n));
});
beforeEach(() => {
  seen = [];
});
afterAll(async () => {
  await emulator.close();
});

describe('twin notifications', () => {
  it('Twin.Create carries the full twin as GET returns it', async () => {
    await createRoom(client, 'n1');
    const twin = (await client.getDigitalTwin('n1')).body;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      type: 'Microsoft.DigitalTwins.Twin.Create',
      subject: 'n1',
      source: emulator.host,
      specversion: '1.0',
      data: twin,
    });
    expect(seen[0]?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('Twin.Update carries {modelId, patch} with the applied ops; component patches get absolute paths', async () => {
    await createRoom(client, 'n2');
    seen = [];
    await client.updateDigitalTwin('n2', [{ op: 'replace', path: '/temperature', value: 30 }]);
    await client.updateComponent('n2', 'thermostat', [{ op: 'add', path: '/mode', value: 'cool' }]);
    expect(seen.map((n) => n.data)).toEqual([
      { modelId: ROOM, patch: [{ op: 'replace', path: '/temperature', value: 30 }] },
      { modelId: ROOM, patch: [{ op: 'add', path: '/thermostat/mode', value: 'cool' }] },
    ]);
    expect(seen.every((n) => n.type === 'Microsoft.DigitalTwins.Twin.Update' && n.subject === 'n2')).toBe(true);
  });

  it('a PUT over an existing twin emits Twin.Update with a computed diff', async () => {
    await createRoom(client, 'n3', { name: 'A' });
    seen = [];
    await createRoom(client, 'n3', { temperature: 25 });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.type).toBe('Microsoft.DigitalTwins.Twin.Update');
    expect(seen[0]?.data).toEqual({
      modelId: ROOM,
      patch: [
        { op: 'replace', path: '/temperature', value: 25 },
        { op: 'remove', path: '/name' },
      ],
    });
  });

  it('Twin.Delete carries the last state; a failed write emits nothing', async () => {
    await createRoom(client, 'n4');
    const twin = (await client.getDigitalTwin('n4')).body;
    seen = [];
    await restError(client.updateDigitalTwin('n4', [{ op: 'remove', path: '/nothing' }]));
    await client.deleteDigitalTwin('n4');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'Microsoft.DigitalTwins.Twin.Delete', data: twin });
  });

  it("carries the caller's trace-id with a new span-id, as ADT does, and not its tracestate", async () => {
    const traceparent = '00-2aa957558db348f387ef704b37631a1d-590d733a1b798149-01';
    const res = await rawRequest(emulator, 'PUT', '/digitaltwins/n5?api-version=2022-05-31', {
      body: { $metadata: { $model: ROOM }, thermostat: { $metadata: {} } },
      headers: { traceparent, tracestate: 'vendor=hop:3' },
    });
    expect(res.status).toBe(200);
    expect(seen[0]?.traceparent).toMatch(/^00-2aa957558db348f387ef704b37631a1d-[0-9a-f]{16}-01$/);
    expect(seen[0]?.traceparent).not.toBe(traceparent);
    expect(JSON.stringify(seen[0])).not.toContain('hop:3');
  });
});

describe('relationship notifications', () => {
  it('Create/Update/Delete with subject <source>/relationships/<id>', async () => {
    await createFloor(client, 'nf');
    await createRoom(client, 'nr');
    seen = [];
    const created = (await client.upsertRelationship('nf', 'rel1', { $targetId: 'nr', $relationshipName: 'contains' })).body;
    await client.updateRelationship('nf', 'rel1', [{ op: 'add', path: '/since', value: 'today' }]);
    const last = (await client.getRelationship('nf', 'rel1')).body;
    await client.deleteRelationship('nf', 'rel1');
    expect(seen.map((n) => [n.type, n.subject])).toEqual([
      ['Microsoft.DigitalTwins.Relationship.Create', 'nf/relationships/rel1'],
      ['Microsoft.DigitalTwins.Relationship.Update', 'nf/relationships/rel1'],
      ['Microsoft.DigitalTwins.Relationship.Delete', 'nf/relationships/rel1'],
    ]);
    expect(seen[0]?.data).toEqual(created);
    expect(seen[1]?.data).toEqual({ modelId: 'dtmi:test:Floor;1', patch: [{ op: 'add', path: '/since', value: 'today' }] });
    expect(seen[2]?.data).toEqual(last);
  });
});

describe('telemetry', () => {
  beforeAll(async () => {
    await createRoom(client, 'tt');
  });

  it('POST telemetry is 204 and emits microsoft.iot.telemetry with id = Message-Id', async () => {
    await client.publishTelemetry('tt', { reading: 21.5 }, 'msg-1');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      type: 'microsoft.iot.telemetry',
      id: 'msg-1',
      source: `${emulator.host}/digitaltwins/tt`,
      dataschema: ROOM,
      data: { reading: 21.5 },
    });
    expect(seen[0]?.subject).toBeUndefined();
  });

  it('accepts SDK 1.1.0 component telemetry (swapped arguments) with subject = component', async () => {
    await client.publishComponentTelemetry('tt', 'thermostat', '{"setpoint":20}', 'msg-c1');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'microsoft.iot.telemetry', subject: 'thermostat', dataschema: THERMOSTAT });
    // The SDK sends the payload string as Message-Id and the message id as a JSON string body.
    expect(seen[0]?.id).toBe('{"setpoint":20}');
    expect(seen[0]?.data).toBe('msg-c1');
  });

  it('de-duplicates by Message-Id per twin and counts duplicates', async () => {
    const before = emulator.counters().telemetryDuplicates;
    for (let i = 0; i < 3; i++) {
      const res = await rawRequest(emulator, 'POST', '/digitaltwins/tt/telemetry?api-version=2022-05-31', {
        body: { reading: i },
        headers: { 'message-id': 'dup-1' },
      });
      expect(res.status).toBe(204);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]?.data).toEqual({ reading: 0 });
    expect(emulator.counters().telemetryDuplicates).toBe(before + 2);
  });

  it('requires Message-Id; a missing twin or component is 404', async () => {
    const noId = await rawRequest(emulator, 'POST', '/digitaltwins/tt/telemetry?api-version=2022-05-31', { body: { reading: 1 } });
    expect(noId.status).toBe(400);
    expect(noId.json).toMatchObject({ error: { code: 'InvalidArgument' } });
    expect((await restError(client.publishTelemetry('ghost', { a: 1 }, 'm'))).code).toBe('DigitalTwinNotFound');
    expect((await restError(client.publishComponentTelemetry('tt', 'nope', '{}', 'm'))).code).toBe('ComponentNotFound');
    expect(seen).toHaveLength(0);
  });
});

describe('event routes through the SDK', () => {
  it('creates, reads, lists and deletes a route; routed events reach an in-process subscriber', async () => {
    const received: unknown[] = [];
    emulator.events.subscribe('sub', (event) => {
      received.push(event);
    });
    await client.upsertEventRoute('all', 'sub', "type = 'Microsoft.DigitalTwins.Twin.Create'");
    expect(await client.getEventRoute('all')).toMatchObject({ id: 'all', endpointName: 'sub' });
    const routes: unknown[] = [];
    for await (const route of client.listEventRoutes()) routes.push(route);
    expect(routes).toHaveLength(1);
    await createRoom(client, 'routed');
    await client.updateDigitalTwin('routed', [{ op: 'replace', path: '/temperature', value: 1 }]);
    await emulator.events.idle();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 'routed' });
    await client.deleteEventRoute('all');
    expect((await restError(client.getEventRoute('all'))).code).toBe('EventRouteNotFound');
  });
});
