import { AdtError } from '../../../local/emulator/errors';
import { EventRouter } from '../../../local/emulator/events';

function errorOf(fn: () => unknown): AdtError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AdtError) return error;
    throw error;
  }
  throw new Error('expected an AdtError');
}

describe('EventRouter routes (data plane /eventroutes)', () => {
  let router: EventRouter;
  beforeEach(() => {
    router = new EventRouter({ host: 'adt.local', endpoints: [{ name: 'ep1', kind: 'subscriber' }] });
  });
  afterEach(() => router.close());

  test('upsert, get, list, delete', () => {
    router.upsertRoute('r1', { endpointName: 'ep1', filter: 'true' });
    router.upsertRoute('r2', { endpointName: 'ep1', filter: "type = 'microsoft.iot.telemetry'" });
    router.upsertRoute('r1', { endpointName: 'ep1', filter: 'false' });
    expect(router.getRoute('r1')).toEqual({ id: 'r1', endpointName: 'ep1', filter: 'false' });
    expect(router.listRoutes().map((r) => r.id)).toEqual(['r1', 'r2']);
    router.deleteRoute('r1');
    expect(errorOf(() => router.getRoute('r1')).code).toBe('EventRouteNotFound');
    expect(errorOf(() => router.deleteRoute('r1')).status).toBe(404);
  });

  test('rejects an unknown endpoint, a bad filter, a bad id and missing fields', () => {
    expect(errorOf(() => router.upsertRoute('r1', { endpointName: 'nope', filter: 'true' })).code).toBe('EventRouteEndpointInvalid');
    const filterError = errorOf(() => router.upsertRoute('r1', { endpointName: 'ep1', filter: 'type = ' }));
    expect(filterError.code).toBe('EventRouteFilterInvalid');
    expect(filterError.message).toContain('at position 7');
    expect(errorOf(() => router.upsertRoute('bad id!', { endpointName: 'ep1', filter: 'true' })).code).toBe('EventRouteIdInvalid');
    expect(errorOf(() => router.upsertRoute('r1', { endpointName: 'ep1' })).status).toBe(400);
    expect(errorOf(() => router.upsertRoute('r1', { filter: 'true' })).status).toBe(400);
    expect(router.listRoutes()).toEqual([]);
  });

  test('allows 6 routes; a 7th is LimitExceeded, replacing an existing one is not', () => {
    for (let i = 1; i <= 6; i++) router.upsertRoute(`r${i}`, { endpointName: 'ep1', filter: 'true' });
    const error = errorOf(() => router.upsertRoute('r7', { endpointName: 'ep1', filter: 'true' }));
    expect(error.code).toBe('LimitExceeded');
    expect(error.status).toBe(400);
    router.upsertRoute('r6', { endpointName: 'ep1', filter: 'false' });
    expect(router.listRoutes()).toHaveLength(6);
  });

  test('export/import restores routes and continues sequence numbers', () => {
    router.upsertRoute('r1', { endpointName: 'ep1', filter: 'true' });
    router.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 't1', data: {} });
    router.emit({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: 't2', data: {} });
    const state = router.export();
    const restored = new EventRouter({ host: 'adt.local' });
    restored.import(JSON.parse(JSON.stringify(state)) as typeof state);
    expect(restored.listRoutes()).toEqual([{ id: 'r1', endpointName: 'ep1', filter: 'true' }]);
    expect(restored.emit({ type: 'Microsoft.DigitalTwins.Twin.Delete', subject: 't1', data: {} }).sequencenumber).toBe(3);
    restored.clear();
    expect(restored.listRoutes()).toEqual([]);
  });
});
