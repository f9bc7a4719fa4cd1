import { gzipSync } from 'node:zlib';

import { decodeEvent } from '../../../../shared/ingest/decode/decodeEvent';
import { normalizeSequenceNumber, normalizeTimestamp } from '../../../../shared/ingest/decode/normalize';
import { splitTriggerBatch } from '../../../../shared/ingest/decode/triggerBatch';
import type { DecodeResult, DeviceMessage, RawEvent } from '../../../../shared/ingest/message/deviceMessage';

const system = { 'iothub-connection-device-id': 'dev-1', 'iothub-enqueuedtime': '2024-05-01T10:00:00.123Z' };
const event = (body: unknown, extraSystem: Record<string, unknown> = {}, rest: Partial<RawEvent> = {}): RawEvent => ({
  body,
  index: 0,
  systemProperties: { ...system, ...extraSystem },
  ...rest,
});
const ok = (result: DecodeResult): DeviceMessage => {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.detail}`);
  return result.message;
};
const reason = (result: DecodeResult): string => (result.ok ? 'ok' : result.reason);
const json = JSON.stringify({ temperature: 21.5 });

describe('decodeEvent bodies', () => {
  it.each<[string, unknown, Record<string, unknown>]>([
    ['an already-parsed object', { temperature: 21.5 }, {}],
    ['a JSON string', json, {}],
    ['a utf-8 Buffer', Buffer.from(json), { 'content-encoding': 'utf-8' }],
    ['a Uint8Array', new Uint8Array(Buffer.from(json)), {}],
    ['a utf-8 Buffer with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), {}],
    ['utf-16le bytes', Buffer.from(json, 'utf16le'), { 'content-encoding': 'utf-16le' }],
    ['utf-16be bytes', Buffer.from(json, 'utf16le').swap16(), { 'content-encoding': 'utf-16be' }],
    ['utf-16 without BOM, big endian', Buffer.from(json, 'utf16le').swap16(), { 'content-encoding': 'utf-16' }],
    [
      'utf-16 with a little-endian BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]),
      { 'content-encoding': 'utf-16' },
    ],
    ['utf-16le via the string binding (ASCII only)', Buffer.from(json, 'utf16le').toString('utf8'), { 'content-encoding': 'utf-16le' }],
    ['gzip declared in content-encoding', gzipSync(Buffer.from(json)), { 'content-encoding': 'gzip' }],
    ['charset from content-type', Buffer.from(json, 'utf16le'), { 'content-type': 'application/json; charset=utf-16le' }],
    ['base64-wrapped JSON string (no content type)', Buffer.from(json).toString('base64'), {}],
    ['base64-wrapped JSON bytes', Buffer.from(Buffer.from(json).toString('base64')), {}],
  ])('decodes %s', (_label, body, extra) => {
    expect(ok(decodeEvent(event(body, extra))).body).toEqual({ temperature: 21.5 });
  });

  it.each<[string, unknown, Record<string, unknown>, string]>([
    ['invalid JSON text', '{"temperature": 21.5', {}, 'invalid-json'],
    ['plain text', 'hello world', {}, 'invalid-json'],
    ['an empty string', '', {}, 'empty-body'],
    ['an empty Buffer', Buffer.alloc(0), {}, 'empty-body'],
    ['no body', undefined, {}, 'empty-body'],
    ['a JSON number (string binding parsed "42")', 42, {}, 'body-not-object'],
    ['a JSON array', [{ a: 1 }], {}, 'body-not-object'],
    ['undeclared gzip', gzipSync(Buffer.from(json)), {}, 'invalid-json'],
    ['corrupt gzip', Buffer.from([0x1f, 0x8b, 1, 2, 3]), { 'content-encoding': 'gzip' }, 'decompress-failed'],
    ['gzip through the string binding', 'garbled', { 'content-encoding': 'gzip' }, 'lossy-string-binding'],
    ['an unknown encoding', Buffer.from(json), { 'content-encoding': 'latin-9' }, 'unsupported-encoding'],
    ['a function', () => 1, {}, 'unsupported-body-type'],
  ])('rejects %s', (_label, body, extra, expected) => {
    const result = decodeEvent(event(body, extra));
    expect(reason(result)).toBe(expected);
    if (!result.ok) expect(result.detail.length).toBeGreaterThan(10);
  });

  it('names the fix for undeclared gzip', () => {
    const result = decodeEvent(event(gzipSync(Buffer.from(json))));
    expect(result.ok ? '' : result.detail).toMatch(/set content-encoding to gzip/);
  });
});

describe('decodeEvent metadata', () => {
  it('reads IoT Hub system properties, PnP component/model, ids and traceparent', () => {
    const message = ok(
      decodeEvent(
        event(
          { t: 1 },
          {
            'iothub-connection-module-id': 'edge-mod',
            'dt-subject': 'thermostat1',
            'dt-dataschema': 'dtmi:com:example:TemperatureController;1',
            'message-id': 'm-1',
            'correlation-id': 'c-1',
          },
          {
            properties: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', status: 'Active' },
            sequenceNumber: { low: 59, high: 0, unsigned: false },
            offset: 616008,
            partitionKey: 'pk',
          },
        ),
      ),
    );
    expect(message).toEqual(
      expect.objectContaining({
        eventKey: 'seq:59',
        deviceId: 'dev-1',
        moduleId: 'edge-mod',
        component: 'thermostat1',
        modelId: 'dtmi:com:example:TemperatureController;1',
        messageId: 'm-1',
        correlationId: 'c-1',
        sequenceNumber: 59,
        offset: '616008',
        partitionKey: 'pk',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        enqueuedTime: '2024-05-01T10:00:00.123Z',
      }),
    );
    expect(message.properties).toEqual({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', status: 'Active' });
  });

  it('falls back to configured application properties for custom producers', () => {
    const raw: RawEvent = { body: { a: 1 }, index: 3, properties: { source: 'gw-7', mod: 'm2' }, enqueuedTimeUtc: '2024-05-01T10:00:00.5' };
    const message = ok(decodeEvent(raw, { deviceIdProperties: ['device', 'source'], moduleIdProperties: ['mod'] }));
    expect(message).toEqual(
      expect.objectContaining({ deviceId: 'gw-7', moduleId: 'm2', eventKey: 'idx:3', enqueuedTime: '2024-05-01T10:00:00.500Z' }),
    );
  });

  it('matches application properties whose first letter the library lower-cased', () => {
    const raw: RawEvent = { body: { a: 1 }, index: 0, properties: { deviceId: 'lc' }, enqueuedTimeUtc: '2024-05-01T10:00:00' };
    expect(ok(decodeEvent(raw, { deviceIdProperties: ['DeviceId'], moduleIdProperties: [] })).deviceId).toBe('lc');
  });

  it('dead-letters a message without a device id, saying where it looked', () => {
    const result = decodeEvent({ body: { a: 1 }, index: 0, systemProperties: {}, enqueuedTimeUtc: '2024-05-01T10:00:00' });
    expect(result).toEqual(expect.objectContaining({ ok: false, reason: 'missing-device-id', eventKey: 'idx:0' }));
    expect(result.ok ? '' : result.detail).toMatch(/iothub-connection-device-id.*deviceId \(application\)/);
  });

  it('prefers iothub-enqueuedtime and appends Z to the host EnqueuedTimeUtc', () => {
    const both = ok(decodeEvent(event({ a: 1 }, {}, { enqueuedTimeUtc: '2024-05-01T09:00:00' })));
    expect(both.enqueuedTime).toBe('2024-05-01T10:00:00.123Z');
    const hostOnly = ok(
      decodeEvent({
        body: { a: 1 },
        index: 0,
        systemProperties: { 'iothub-connection-device-id': 'd' },
        enqueuedTimeUtc: '2023-03-13T01:25:02.25',
      }),
    );
    expect(hostOnly.enqueuedTime).toBe('2023-03-13T01:25:02.250Z');
    const missing = decodeEvent({ body: { a: 1 }, index: 0, systemProperties: { 'iothub-connection-device-id': 'd' } });
    expect(reason(missing)).toBe('missing-enqueued-time');
  });
});

describe('normalisation helpers', () => {
  it('normalises sequence numbers from every wire form', () => {
    expect(normalizeSequenceNumber(59)).toBe(59);
    expect(normalizeSequenceNumber('12345')).toBe(12345);
    expect(normalizeSequenceNumber(BigInt(7))).toBe(7);
    expect(normalizeSequenceNumber({ low: 5, high: 1, unsigned: false })).toBe(2 ** 32 + 5);
    expect(normalizeSequenceNumber({ low: -1, high: 0, unsigned: false })).toBe(2 ** 32 - 1);
    expect(normalizeSequenceNumber('abc')).toBeUndefined();
    expect(normalizeSequenceNumber(null)).toBeUndefined();
  });

  it('normalises timestamps to ISO UTC with Z', () => {
    expect(normalizeTimestamp('2024-01-01T00:00:00.123')).toBe('2024-01-01T00:00:00.123Z');
    expect(normalizeTimestamp('2023-03-13T01:25:02.25+00:00')).toBe('2023-03-13T01:25:02.250Z');
    expect(normalizeTimestamp('2024-01-01T02:00:00+02:00')).toBe('2024-01-01T00:00:00.000Z');
    expect(normalizeTimestamp(Date.UTC(2024, 0, 1))).toBe('2024-01-01T00:00:00.000Z');
    expect(normalizeTimestamp(new Date(Date.UTC(2024, 0, 1)))).toBe('2024-01-01T00:00:00.000Z');
    expect(normalizeTimestamp('yesterday')).toBeUndefined();
  });
});

describe('splitTriggerBatch', () => {
  it('zips bodies with the triggerMetadata arrays', () => {
    const events = splitTriggerBatch([{ a: 1 }, 'x'], {
      systemPropertiesArray: [{ 'iothub-connection-device-id': 'd1' }, { 'iothub-connection-device-id': 'd2' }],
      propertiesArray: [{ p: 1 }, {}],
      enqueuedTimeUtcArray: ['2024-01-01T00:00:00', '2024-01-01T00:00:01'],
      sequenceNumberArray: [{ low: 1, high: 0 }, 2],
      offsetArray: ['10', 20],
    });
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual(
      expect.objectContaining({ body: 'x', index: 1, sequenceNumber: 2, offset: 20, enqueuedTimeUtc: '2024-01-01T00:00:01' }),
    );
    expect(ok(decodeEvent(events[0] as RawEvent)).eventKey).toBe('seq:1');
  });

  it('reads each event its own partition key: the host drops empty entries from partitionKeyArray', () => {
    // 4 IoT Hub messages and one keyed custom-producer event, as the real host delivers them.
    const keys = [undefined, undefined, 'thermostat-102', undefined];
    const events = splitTriggerBatch([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }], {
      systemPropertiesArray: keys.map((key, i) => ({
        'iothub-connection-device-id': `d${i}`,
        'iothub-enqueuedtime': '2024-01-01T00:00:00Z',
        partitionKey: key ?? null,
        ...(key && { 'x-opt-partition-key': key }),
      })),
      partitionKeyArray: ['thermostat-102'],
    });
    expect(events.map((e) => ok(decodeEvent(e)).partitionKey)).toEqual(keys);
  });
});
