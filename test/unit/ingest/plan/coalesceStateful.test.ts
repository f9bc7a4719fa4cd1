// Coalescing a stateful target (integrate, counter, …): every reading of the batch is kept for the
// writer to fold, none is superseded; a plain value of the same property never displaces them.
import type { PropertyUpdate } from '../../../../shared/ingest/message/propertyUpdate';
import type { StatefulTransform } from '../../../../shared/ingest/message/statefulReading';
import { coalesce } from '../../../../shared/ingest/plan/coalesce';

const transform: StatefulTransform = { kind: 'integrate', input: 'power', perSeconds: 3600 };
const at = (s: number) => new Date(Date.UTC(2024, 0, 1) + s * 1000).toISOString();
const reading = (s: number, value: number, stateful = true): PropertyUpdate => ({
  twinId: 'm1',
  property: 'energy',
  value,
  sourceTime: at(s),
  sequenceNumber: s,
  eventKeys: [`e${s}`],
  rule: 'meter',
  ...(stateful && { stateful: { transform, readings: [{ value, sourceTime: at(s), eventKey: `e${s}`, sequenceNumber: s }] } }),
});

it('keeps every reading of a stateful target and counts none as coalesced', () => {
  const result = coalesce([reading(10, 1), reading(5, 2), reading(20, 3), reading(20, 3)]);
  expect(result.coalesced).toBe(0);
  expect(result.superseded).toEqual([]);
  const [only] = result.twins[0]?.updates ?? [];
  expect(only?.value).toBe(3);
  expect(only?.stateful?.readings.map((r) => r.sourceTime)).toEqual([at(10), at(5), at(20), at(20)]);
  expect(only?.eventKeys.sort()).toEqual(['e10', 'e20', 'e5']);
});

it('a plain value of the same property (another rule) never displaces the readings, whatever its time', () => {
  const result = coalesce([reading(10, 1), reading(30, 99, false), reading(20, 3)]);
  const [only] = result.twins[0]?.updates ?? [];
  expect(only?.stateful?.readings.map((r) => r.value)).toEqual([1, 3]);
  expect(result.superseded.map((u) => u.value)).toEqual([99]);
});
