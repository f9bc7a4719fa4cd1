import { compileFilter, FilterSyntaxError } from '../../../local/emulator/events/filter';
import type { Notification, NotificationType } from '../../../local/emulator/types';

function notification(type: NotificationType, data: unknown, extra: Partial<Notification> = {}): Notification {
  return {
    specversion: '1.0',
    id: 'evt-1',
    type,
    source: 'adt.local',
    subject: 'room-1',
    time: '2024-01-01T00:00:00.0000000Z',
    datacontenttype: 'application/json',
    traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01',
    data,
    sequencenumber: 1,
    ...extra,
  };
}

const update = notification('Microsoft.DigitalTwins.Twin.Update', { modelId: 'dtmi:com:example:Room;1', patch: [] });
const create = notification('Microsoft.DigitalTwins.Twin.Create', {
  $dtId: 'room-1',
  temperature: 21.5,
  active: true,
  $metadata: { $model: 'dtmi:com:example:Room;1' },
});
const telemetry = notification(
  'microsoft.iot.telemetry',
  { temp: 30 },
  { source: 'adt.local/digitaltwins/room-1', subject: undefined, dataschema: 'dtmi:com:example:Room;1' },
);

describe('route filter language', () => {
  test('true and false route everything or nothing', () => {
    expect(compileFilter('true')(update)).toBe(true);
    expect(compileFilter('FALSE')(update)).toBe(false);
  });

  test('compares CloudEvents attributes case-sensitively', () => {
    const f = compileFilter("type = 'Microsoft.DigitalTwins.Twin.Update'");
    expect(f(update)).toBe(true);
    expect(f(create)).toBe(false);
    expect(compileFilter("type = 'microsoft.digitaltwins.twin.update'")(update)).toBe(false);
  });

  test('walks into data with $body, including $-prefixed keys', () => {
    expect(compileFilter("$body.$metadata.$model = 'dtmi:com:example:Room;1'")(create)).toBe(true);
    expect(compileFilter("$body.modelId = 'dtmi:com:example:Room;1'")(update)).toBe(true);
    expect(compileFilter("$body.modelId = 'dtmi:com:example:Room;1'")(create)).toBe(false);
  });

  test('numeric and boolean comparisons', () => {
    expect(compileFilter('$body.temperature > 20')(create)).toBe(true);
    expect(compileFilter('$body.temperature >= 21.5 AND $body.temperature <= 21.5')(create)).toBe(true);
    expect(compileFilter('$body.temperature < 20')(create)).toBe(false);
    expect(compileFilter('$body.active = true')(create)).toBe(true);
    expect(compileFilter("$body.temperature > '20'")(create)).toBe(false);
  });

  test('null matches a missing attribute', () => {
    expect(compileFilter('subject = null')(telemetry)).toBe(true);
    expect(compileFilter('subject != null')(update)).toBe(true);
    expect(compileFilter('$body.nothing.here = null')(update)).toBe(true);
  });

  test('AND binds tighter than OR; parentheses regroup; keywords are case-insensitive', () => {
    const loose = compileFilter("type = 'microsoft.iot.telemetry' or type = 'Microsoft.DigitalTwins.Twin.Update' and subject = 'nope'");
    expect(loose(telemetry)).toBe(true);
    expect(loose(update)).toBe(false);
    const grouped = compileFilter(
      "(type = 'microsoft.iot.telemetry' Or type = 'Microsoft.DigitalTwins.Twin.Update') And subject = 'room-1'",
    );
    expect(grouped(update)).toBe(true);
    expect(grouped(telemetry)).toBe(false);
  });

  test('string functions, both spellings', () => {
    expect(compileFilter("STARTS_WITH(type, 'Microsoft.DigitalTwins.Twin.')")(update)).toBe(true);
    expect(compileFilter("startswith(type, 'Microsoft.DigitalTwins.Relationship.')")(update)).toBe(false);
    expect(compileFilter("ENDS_WITH(source, '/digitaltwins/room-1')")(telemetry)).toBe(true);
    expect(compileFilter("CONTAINS(dataschema, 'Room')")(telemetry)).toBe(true);
    expect(compileFilter("CONTAINS(subject, 'x')")(telemetry)).toBe(false);
  });

  test('legacy $eventType categories', () => {
    const f = compileFilter("$eventType = 'DigitalTwinTelemetryMessages' or $eventType = 'DigitalTwinLifecycleNotification'");
    expect(f(telemetry)).toBe(true);
    expect(f(create)).toBe(true);
    expect(f(update)).toBe(false);
    expect(compileFilter("$eventType = 'DigitalTwinChangeNotification'")(update)).toBe(true);
    const rel = notification('Microsoft.DigitalTwins.Relationship.Delete', {});
    expect(compileFilter("$eventType = 'DigitalTwinRelationshipChangeNotification'")(rel)).toBe(true);
  });

  test.each([
    ['', 'the filter is empty', 0],
    ["type = 'x", 'unterminated string literal', 7],
    ["Type = 'x'", "unknown attribute 'Type'", 0],
    ["type 'x'", 'expected a comparison operator', 5],
    ["(type = 'x'", "expected a closing ')'", 11],
    ["type = 'x' AND", 'expected an attribute', 14],
    ["type = 'x' subject = 'y'", 'expected AND, OR or the end of the filter', 11],
    ["STARTS_WITH(type 'x')", "expected a ',' between the two arguments", 17],
    ["$eventType = 'Telemetry'", '$eventType must be compared with one of', 11],
    ['type # 1', "unexpected character '#'", 5],
  ])('rejects %j naming the problem and position', (text, problem, position) => {
    let caught: unknown;
    try {
      compileFilter(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FilterSyntaxError);
    const error = caught as FilterSyntaxError;
    expect(error.message).toContain(problem);
    expect(error.position).toBe(position);
    expect(error.message).toContain(`at position ${position}`);
  });
});
