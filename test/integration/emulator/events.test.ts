// Notifications through the real emulator: a twin write via the SDK reaches webhooks in both Event Grid schemas.
import type { RestError } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { EventGridDeserializer } from '@azure/eventgrid';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createEmulatorClient, type TrustingHttpClient } from '../../../local/emulator/trust';
import { startWebhookReceiver, type WebhookReceiver } from '../../unit/events/webhookReceiver';
import { createRoom, roomModel, roomModelId } from './eventsFixture';

describe('emulator event routes and notifications', () => {
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;
  let httpClient: TrustingHttpClient;
  let eventGrid: WebhookReceiver;
  let cloudEvents: WebhookReceiver;

  beforeAll(async () => {
    eventGrid = await startWebhookReceiver();
    cloudEvents = await startWebhookReceiver();
    emulator = await startEmulator({
      endpoints: [
        { name: 'grid-eg', kind: 'webhook', url: eventGrid.url, schema: 'EventGrid' },
        { name: 'grid-ce', kind: 'webhook', url: cloudEvents.url, schema: 'CloudEvents' },
      ],
      delivery: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
    });
    ({ client, httpClient } = createEmulatorClient(emulator));
    await client.createModels([roomModel]);
  });

  afterAll(async () => {
    httpClient.destroy();
    await emulator.close();
    await eventGrid.close();
    await cloudEvents.close();
  });

  test('route CRUD through the SDK, with ADT error codes', async () => {
    await client.upsertEventRoute('everything', 'grid-eg', 'true');
    await client.upsertEventRoute(
      'updates',
      'grid-ce',
      "type = 'Microsoft.DigitalTwins.Twin.Update' AND $body.modelId = 'dtmi:com:example:eventsTest:Room;1'",
    );
    expect(await client.getEventRoute('updates')).toMatchObject({ id: 'updates', endpointName: 'grid-ce' });
    const ids: string[] = [];
    for await (const route of client.listEventRoutes()) ids.push(route.id ?? '');
    expect(ids.sort()).toEqual(['everything', 'updates']);

    const badEndpoint = (await client.upsertEventRoute('x', 'no-such-endpoint', 'true').catch((e: unknown) => e)) as RestError;
    expect([badEndpoint.statusCode, badEndpoint.code]).toEqual([400, 'EventRouteEndpointInvalid']);
    const badFilter = (await client.upsertEventRoute('x', 'grid-eg', "type == 'x'").catch((e: unknown) => e)) as RestError;
    expect([badFilter.statusCode, badFilter.code]).toEqual([400, 'EventRouteFilterInvalid']);
    expect(badFilter.message).toContain('position 6');
    const missing = (await client.getEventRoute('nope').catch((e: unknown) => e)) as RestError;
    expect([missing.statusCode, missing.code]).toEqual([404, 'EventRouteNotFound']);
  });

  test('a twin create and patch arrive in the EventGrid and CloudEvents schemas', async () => {
    await createRoom(client, 'room-ev', 20);
    await client.updateDigitalTwin('room-ev', [{ op: 'replace', path: '/temperature', value: 23.5 }]);
    await emulator.events.idle();

    const gridEvents = (
      await Promise.all(eventGrid.posts.map((p) => new EventGridDeserializer().deserializeEventGridEvents(p.body)))
    ).flat();
    expect(eventGrid.posts.every((p) => p.headers['aeg-event-type'] === 'Notification')).toBe(true);
    expect(gridEvents.map((e) => [e.eventType, e.subject])).toEqual([
      ['Microsoft.DigitalTwins.Twin.Create', 'room-ev'],
      ['Microsoft.DigitalTwins.Twin.Update', 'room-ev'],
    ]);
    const created = gridEvents[0]?.data as { data: { $dtId: string; temperature: number }; sequencenumber: number };
    expect(created.data).toMatchObject({ $dtId: 'room-ev', temperature: 20 });
    const updated = gridEvents[1]?.data as { data: unknown; contenttype: string; sequencenumber: number };
    expect(updated.data).toEqual({ modelId: roomModelId, patch: [{ op: 'replace', path: '/temperature', value: 23.5 }] });
    expect(updated.contenttype).toBe('application/json');
    expect(updated.sequencenumber).toBeGreaterThan(created.sequencenumber);

    expect(cloudEvents.posts).toHaveLength(1);
    expect(cloudEvents.posts[0]?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    const [ce] = await new EventGridDeserializer().deserializeCloudEvents(cloudEvents.posts[0]?.body ?? '');
    expect(ce).toMatchObject({ type: 'Microsoft.DigitalTwins.Twin.Update', source: emulator.host, subject: 'room-ev' });
    expect(ce?.data).toEqual({ modelId: roomModelId, patch: [{ op: 'replace', path: '/temperature', value: 23.5 }] });
    expect(ce?.extensionAttributes?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  test('telemetry is routed with the Message-Id as id and the twin in source', async () => {
    const seen: unknown[] = [];
    const stop = emulator.events.tap((n) => seen.push(n));
    await client.publishTelemetry('room-ev', { temperature: 30 }, 'msg-42');
    stop();
    expect(seen).toMatchObject([
      {
        type: 'microsoft.iot.telemetry',
        id: 'msg-42',
        source: `${emulator.host}/digitaltwins/room-ev`,
        dataschema: roomModelId,
        data: { temperature: 30 },
      },
    ]);
    await emulator.events.idle();
    const last = eventGrid.posts[eventGrid.posts.length - 1];
    const [event] = await new EventGridDeserializer().deserializeEventGridEvents(last?.body ?? '');
    expect(event).toMatchObject({
      id: 'msg-42',
      eventType: 'microsoft.iot.telemetry',
      data: { data: { temperature: 30 }, dataschema: roomModelId },
    });
  });
});
