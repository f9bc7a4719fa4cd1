import { EventGridDeserializer } from '@azure/eventgrid';

import { type CloudEventNotification, type EventGridNotification, EventRouter, type SubscriberEvent } from '../../../local/emulator/events';
import type { Notification } from '../../../local/emulator/types';
import { startWebhookReceiver, type WebhookReceiver } from './webhookReceiver';

const fast = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 };
const patchData = { modelId: 'dtmi:com:example:Room;1', patch: [{ op: 'replace', path: '/temperature', value: 22 }] };

describe('EventRouter stamping', () => {
  const router = new EventRouter({ host: 'adt.local:4443' });
  afterAll(() => router.close());

  test('stamps CloudEvents attributes ADT sets', () => {
    const n = router.emit({ type: 'Microsoft.DigitalTwins.Twin.Update', subject: 'room-1', data: patchData });
    expect(n.specversion).toBe('1.0');
    expect(n.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(n.source).toBe('adt.local:4443');
    expect(n.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    expect(n.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(n.datacontenttype).toBe('application/json');
  });

  test("keeps a caller id and the caller's trace-id (new span-id, as ADT); numbers each source separately", () => {
    const traceparent = '00-2aa957558db348f387ef704b37631a1d-590d733a1b798149-01';
    const t1 = router.emit({
      type: 'microsoft.iot.telemetry',
      id: 'msg-1',
      data: { temp: 1 },
      sourceSuffix: '/digitaltwins/room-9',
      traceparent,
      dataschema: 'dtmi:x;1',
    });
    const t2 = router.emit({ type: 'microsoft.iot.telemetry', id: 'msg-2', data: { temp: 2 }, sourceSuffix: '/digitaltwins/room-9' });
    const other = router.emit({ type: 'microsoft.iot.telemetry', data: {}, sourceSuffix: '/digitaltwins/room-8' });
    expect(t1).toMatchObject({ id: 'msg-1', source: 'adt.local:4443/digitaltwins/room-9', dataschema: 'dtmi:x;1', sequencenumber: 1 });
    expect(t1.traceparent).toMatch(/^00-2aa957558db348f387ef704b37631a1d-[0-9a-f]{16}-01$/);
    expect(t1.traceparent).not.toBe(traceparent);
    expect(t2.sequencenumber).toBe(2);
    expect(other.sequencenumber).toBe(1);
    const malformed = router.emit({ type: 'microsoft.iot.telemetry', data: {}, traceparent: 'not-a-traceparent' });
    expect(malformed.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});

describe('EventRouter webhook delivery', () => {
  let receiver: WebhookReceiver | undefined;
  let router: EventRouter | undefined;
  afterEach(async () => {
    await router?.close();
    await receiver?.close();
  });

  async function setup(
    schema: 'EventGrid' | 'CloudEvents',
    respond?: (index: number) => number,
    filter = 'true',
  ): Promise<[EventRouter, WebhookReceiver]> {
    receiver = await startWebhookReceiver(respond);
    router = new EventRouter({
      host: 'adt.local',
      delivery: fast,
      endpoints: [
        {
          name: 'grid',
          kind: 'webhook',
          url: receiver.url,
          schema,
          topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/topics/t',
        },
      ],
    });
    router.upsertRoute('all', { endpointName: 'grid', filter });
    return [router, receiver];
  }

  test('EventGrid schema: an array body with double-wrapped data that EventGridDeserializer accepts', async () => {
    const [r, rx] = await setup('EventGrid');
    const n = r.emit({ type: 'Microsoft.DigitalTwins.Twin.Update', subject: 'room-1', data: patchData });
    await r.idle();
    expect(rx.posts).toHaveLength(1);
    const post = rx.posts[0]!;
    expect(post.headers['aeg-event-type']).toBe('Notification');
    expect(post.headers['content-type']).toBe('application/json; charset=utf-8');
    const raw = JSON.parse(post.body) as EventGridNotification[];
    expect(Array.isArray(raw)).toBe(true);
    expect(raw[0]).toEqual({
      id: n.id,
      subject: 'room-1',
      data: { data: patchData, contenttype: 'application/json', traceparent: n.traceparent, sequencenumber: 1 },
      eventType: 'Microsoft.DigitalTwins.Twin.Update',
      eventTime: n.time,
      dataVersion: '1.0',
      metadataVersion: '1',
      topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/topics/t',
    });
    const [parsed] = await new EventGridDeserializer().deserializeEventGridEvents(post.body);
    expect(parsed?.eventType).toBe('Microsoft.DigitalTwins.Twin.Update');
    expect(parsed?.data).toMatchObject({ data: patchData, sequencenumber: 1 });
    expect(parsed?.eventTime).toBeInstanceOf(Date);
  });

  test('CloudEvents schema: structured mode, one event per POST, sequencenumber as an extension attribute', async () => {
    const [r, rx] = await setup('CloudEvents');
    const n = r.emit({ type: 'Microsoft.DigitalTwins.Twin.Update', subject: 'room-1', data: patchData });
    await r.idle();
    expect(rx.posts).toHaveLength(1);
    const post = rx.posts[0]!;
    expect(post.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    const raw = JSON.parse(post.body) as CloudEventNotification;
    expect(raw).toEqual({ ...n });
    const [parsed] = await new EventGridDeserializer().deserializeCloudEvents(post.body);
    expect(parsed).toMatchObject({ id: n.id, type: n.type, source: 'adt.local', subject: 'room-1', data: patchData });
    expect(parsed?.extensionAttributes).toEqual({ traceparent: n.traceparent, sequencenumber: 1 });
  });

  test('retries a 500 and then delivers, telling the receiver the delivery count', async () => {
    const [r, rx] = await setup('CloudEvents', (i) => (i < 2 ? 500 : 200));
    r.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 'room-1', data: { $dtId: 'room-1' } });
    await r.idle();
    expect(rx.posts.map((p) => p.headers['aeg-delivery-count'])).toEqual(['0', '1', '2']);
    expect(r.stats().endpoints.grid).toMatchObject({ enqueued: 1, delivered: 1, failedAttempts: 2, deadLettered: 0, pending: 0 });
    expect(r.deadLetters()).toEqual([]);
  });

  test('dead-letters after maxAttempts and goes on with the next event', async () => {
    const [r, rx] = await setup('EventGrid', (i) => (i < 3 ? 503 : 200));
    const doomed = r.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 'a', data: {} });
    const next = r.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 'b', data: {} });
    await r.idle();
    expect(rx.posts).toHaveLength(4);
    const dead = r.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ endpointName: 'grid', attempts: 3, notification: doomed });
    expect(dead[0]?.lastError).toContain('HTTP 503');
    const lastBody = JSON.parse(rx.posts[3]!.body) as EventGridNotification[];
    expect(lastBody[0]?.id).toBe(next.id);
    expect(r.stats().endpoints.grid).toMatchObject({ delivered: 1, failedAttempts: 3, deadLettered: 1 });
  });

  test('a refused connection counts as a failed attempt', async () => {
    receiver = await startWebhookReceiver();
    const closedUrl = receiver.url;
    await receiver.close();
    receiver = undefined;
    router = new EventRouter({
      host: 'adt.local',
      delivery: { ...fast, maxAttempts: 2 },
      endpoints: [{ name: 'gone', kind: 'webhook', url: closedUrl, schema: 'EventGrid' }],
    });
    router.upsertRoute('all', { endpointName: 'gone', filter: 'true' });
    router.emit({ type: 'Microsoft.DigitalTwins.Twin.Delete', subject: 'x', data: {} });
    await router.idle();
    expect(router.deadLetters()[0]?.lastError).toContain('ECONNREFUSED');
  });

  test("keeps one twin's changes in order even when a delivery needs a retry", async () => {
    const [r, rx] = await setup('CloudEvents', (i) => (i === 3 || i === 7 ? 500 : 200));
    const emitted: Notification[] = [];
    for (let v = 0; v < 15; v++) {
      emitted.push(
        r.emit({
          type: 'Microsoft.DigitalTwins.Twin.Update',
          subject: 'room-1',
          data: { modelId: 'm', patch: [{ op: 'replace', path: '/v', value: v }] },
        }),
      );
    }
    await r.idle();
    expect(rx.posts).toHaveLength(17);
    const delivered = rx.posts
      .filter((p) => p.headers['aeg-delivery-count'] !== undefined)
      .map((p) => JSON.parse(p.body) as CloudEventNotification);
    // Drop the failed first attempts: each retried event appears twice in a row.
    const unique = delivered.filter((e, i) => delivered[i + 1]?.id !== e.id);
    expect(unique.map((e) => e.sequencenumber)).toEqual(emitted.map((e) => e.sequencenumber));
  });

  test('routes only what the filter accepts, once per matching route', async () => {
    const [r, rx] = await setup('CloudEvents', undefined, "type = 'microsoft.iot.telemetry'");
    r.emit({ type: 'Microsoft.DigitalTwins.Twin.Update', subject: 'room-1', data: patchData });
    r.emit({ type: 'microsoft.iot.telemetry', data: { temp: 1 }, sourceSuffix: '/digitaltwins/room-1' });
    await r.idle();
    expect(rx.posts.map((p) => (JSON.parse(p.body) as CloudEventNotification).type)).toEqual(['microsoft.iot.telemetry']);
    r.upsertRoute('second', { endpointName: 'grid', filter: "STARTS_WITH(source, 'adt.local/digitaltwins/')" });
    r.emit({ type: 'microsoft.iot.telemetry', data: { temp: 2 }, sourceSuffix: '/digitaltwins/room-1' });
    await r.idle();
    expect(rx.posts).toHaveLength(3);
  });
});

describe('EventRouter subscribers, taps and idle', () => {
  let router: EventRouter;
  beforeEach(() => {
    router = new EventRouter({ host: 'adt.local', delivery: fast });
  });
  afterEach(() => router.close());

  test('a subscriber gets CloudEvents by default and is retried after a throw', async () => {
    const seen: SubscriberEvent[] = [];
    let failures = 1;
    router.subscribe('inproc', (event) => {
      if (failures-- > 0) throw new Error('consumer not ready');
      seen.push(event);
    });
    router.upsertRoute('r', { endpointName: 'inproc', filter: 'true' });
    const n = router.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 't', data: { $dtId: 't' } });
    await router.idle();
    expect(seen).toEqual([{ ...n }]);
    expect(router.stats().endpoints.inproc).toMatchObject({ delivered: 1, failedAttempts: 1 });
  });

  test('an EventGrid-schema subscriber receives the EventGridEvent shape; a retry skips handlers that succeeded', async () => {
    router.addEndpoint({ name: 'eg', kind: 'subscriber', schema: 'EventGrid' });
    const good: SubscriberEvent[] = [];
    let flakyCalls = 0;
    router.subscribe('eg', (event) => {
      good.push(event);
    });
    router.subscribe('eg', () => {
      if (++flakyCalls === 1) throw new Error('flaky');
    });
    router.upsertRoute('r', { endpointName: 'eg', filter: 'true' });
    router.emit({ type: 'Microsoft.DigitalTwins.Twin.Update', subject: 't', data: patchData });
    await router.idle();
    expect(good).toHaveLength(1);
    expect(flakyCalls).toBe(2);
    expect(good[0]).toMatchObject({
      eventType: 'Microsoft.DigitalTwins.Twin.Update',
      data: { data: patchData, sequencenumber: 1 },
      metadataVersion: '1',
    });
  });

  test('two routes to one endpoint deliver two copies, the second after the first has finished', async () => {
    const seen: string[] = [];
    router.subscribe('twice', (_event, n) => {
      seen.push(n.id);
    });
    router.upsertRoute('updates', { endpointName: 'twice', filter: "type = 'Microsoft.DigitalTwins.Twin.Update'" });
    router.upsertRoute('everything', { endpointName: 'twice', filter: 'true' });
    const n = router.emit({ type: 'Microsoft.DigitalTwins.Twin.Update', subject: 't', data: patchData });
    await router.idle();
    expect(seen).toEqual([n.id, n.id]);
    expect(router.stats().endpoints.twice).toMatchObject({ enqueued: 2, delivered: 2 });
  });

  test('a subscriber that always throws is dead-lettered; unsubscribing drops later events', async () => {
    const unsubscribe = router.subscribe('bad', () => {
      throw new Error('boom');
    });
    router.upsertRoute('r', { endpointName: 'bad', filter: 'true' });
    router.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 't', data: {} });
    await router.idle();
    expect(router.deadLetters()).toMatchObject([{ endpointName: 'bad', attempts: 3, lastError: 'boom' }]);
    unsubscribe();
    router.emit({ type: 'Microsoft.DigitalTwins.Twin.Delete', subject: 't', data: {} });
    await router.idle();
    expect(router.stats().endpoints.bad).toMatchObject({ enqueued: 1, dropped: 1, deadLettered: 1 });
  });

  test('tap sees every notification regardless of routes', () => {
    const tapped: string[] = [];
    router.tap((n) => tapped.push(n.type));
    router.emit({ type: 'Microsoft.DigitalTwins.Relationship.Create', subject: 'a/relationships/r', data: {} });
    expect(tapped).toEqual(['Microsoft.DigitalTwins.Relationship.Create']);
    expect(router.stats().emitted).toBe(1);
  });

  test('idle() waits for events that handlers emit while being delivered', async () => {
    const order: string[] = [];
    router.subscribe('chain', async (_event, n) => {
      order.push(n.subject ?? '');
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (n.subject === 'child') router.emit({ type: 'Microsoft.DigitalTwins.Twin.Update', subject: 'parent', data: patchData });
    });
    router.upsertRoute('r', { endpointName: 'chain', filter: "subject != 'ignored'" });
    router.emit({ type: 'Microsoft.DigitalTwins.Twin.Update', subject: 'child', data: patchData });
    await router.idle();
    expect(order).toEqual(['child', 'parent']);
  });

  test('close() cancels a pending retry and drops what waits', async () => {
    const slow = new EventRouter({ host: 'adt.local', delivery: { maxAttempts: 5, initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    let calls = 0;
    slow.subscribe('s', () => {
      calls++;
      throw new Error('down');
    });
    slow.upsertRoute('r', { endpointName: 's', filter: 'true' });
    slow.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 'a', data: {} });
    slow.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 'b', data: {} });
    await new Promise((resolve) => setImmediate(resolve));
    await slow.close();
    await slow.idle();
    expect(calls).toBe(1);
    expect(slow.stats().endpoints.s).toMatchObject({ dropped: 2, delivered: 0, deadLettered: 0, pending: 0 });
  });
});
