// Classification by iothub-message-source, then opType (reference §1.1–§1.2): telemetry carries no
// source; each notification kind is named; the 2018 module lifecycle name is a lifecycle event; a
// digital twin change's JSON Patch array is held as { patch }.
import { decodeEvent } from '../../../../shared/ingest/decode/decodeEvent';
import type { DecodeResult, DeviceMessage, RawEvent } from '../../../../shared/ingest/message/deviceMessage';

const system = { 'iothub-connection-device-id': 'dev-1', 'iothub-enqueuedtime': 1654109018051 };
const event = (body: unknown, source: string | undefined, properties: Record<string, unknown> = {}): RawEvent => ({
  body,
  index: 0,
  properties,
  systemProperties: { ...system, ...(source !== undefined && { 'iothub-message-source': source }) },
});
const ok = (result: DecodeResult): DeviceMessage => {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}: ${result.detail}`);
  return result.message;
};

it('leaves telemetry without a source (none sent, or Telemetry)', () => {
  expect(ok(decodeEvent(event({ t: 1 }, undefined))).source).toBeUndefined();
  expect(ok(decodeEvent(event({ t: 1 }, 'Telemetry'))).source).toBeUndefined();
});

it.each([
  ['deviceConnectionStateEvents', 'deviceConnectionStateEvents', 'deviceConnected'],
  ['deviceLifecycleEvents', 'deviceLifecycleEvents', 'createDeviceIdentity'],
  ['moduleLifecycleEvents', 'deviceLifecycleEvents', 'createModuleIdentity'],
  ['twinChangeEvents', 'twinChangeEvents', 'replaceTwin'],
  ['DeviceJobLifecycleEvents', 'other', 'jobCompleted'],
])('classifies %s as %s with its opType', (source, kind, opType) => {
  const message = ok(decodeEvent(event({ sequenceNumber: '01' }, source, { opType })));
  expect(message.source).toEqual({ kind, name: source, opType });
});

it('reads the epoch-millisecond enqueued time IoT Hub documents for notifications', () => {
  expect(ok(decodeEvent(event({}, 'deviceLifecycleEvents'))).enqueuedTime).toBe('2022-06-01T18:43:38.051Z');
});

it('holds a digital twin change JSON Patch as { patch } whether parsed, text or bytes', () => {
  const patch = [{ op: 'add', path: '/maxTempSinceLastReboot', value: 42.1 }];
  for (const body of [patch, JSON.stringify(patch), Buffer.from(` ${JSON.stringify(patch)}`)]) {
    const message = ok(decodeEvent(event(body, 'digitalTwinChangeEvents', { opType: 'updateTwin' })));
    expect(message.body).toEqual({ patch });
    expect(message.source?.kind).toBe('digitalTwinChangeEvents');
  }
});

it('still refuses an array body from telemetry', () => {
  const result = decodeEvent(event('[1,2]', undefined));
  expect(result.ok ? 'ok' : result.reason).toBe('body-not-object');
});
