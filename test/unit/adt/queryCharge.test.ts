// Query Units reach the caller: every query page a port reports (with ADT's query-charge) is counted
// in the call's CallStats, retried attempts included (ADT bills them); queryPage hands the page and
// its token to callers that bound their work, and a port without paging answers one page.
import { AdtRequestError } from '../../../shared/adt/errors';
import { AdtGateway, type CallContext } from '../../../shared/adt/gateway';
import { emptyCallStats } from '../../../shared/adt/retry';
import type { AdtPort, PortCallOptions, QueryPage, QueryPageRequest } from '../../../shared/adt/types';
import { FakeClock, FakePort } from './fakes';

/** Two pages of 2.5 QU each; the first query attempt fails with a 503 after its first page. */
class ChargingPort extends FakePort {
  attempts = 0;
  override async query(_query: string, options: PortCallOptions): Promise<unknown[]> {
    this.attempts += 1;
    options.onQueryPage?.({ rows: 1, queryCharge: 2.5 });
    if (this.attempts === 1) throw new AdtRequestError('busy', 503, 'ServiceUnavailable');
    options.onQueryPage?.({ rows: 1, queryCharge: 2.5 });
    return [{ $dtId: 'a' }, { $dtId: 'b' }];
  }
  async queryPage(_query: string, page: QueryPageRequest, options: PortCallOptions): Promise<QueryPage> {
    options.onQueryPage?.({ rows: 1, queryCharge: 1.25 });
    return page.continuationToken
      ? { rows: [{ $dtId: 'b' }], queryCharge: 1.25 }
      : { rows: [{ $dtId: 'a' }], continuationToken: 't', queryCharge: 1.25 };
  }
}

const setup = (port: AdtPort) => {
  const clock = new FakeClock();
  const gateway = new AdtGateway({ port, clock, random: () => 1, retryPolicy: { baseDelayMs: 10, maxDelayMs: 10, maxAttempts: 3 } });
  const ctx = (): CallContext => ({ deadline: clock.now() + 60_000, stats: emptyCallStats() });
  return { gateway, ctx };
};

it('a full query counts every page and its charge, the failed attempt too', async () => {
  const { gateway, ctx } = setup(new ChargingPort());
  const call = ctx();
  expect(await gateway.query('SELECT T.$dtId FROM DIGITALTWINS T', call)).toHaveLength(2);
  expect(call.stats).toMatchObject({ requests: 2, retries: 1, queryPages: 3, queryUnits: 7.5 });
});

it('queryPage returns one page with its token and charge, counted in the same stats', async () => {
  const { gateway, ctx } = setup(new ChargingPort());
  const call = ctx();
  const first = await gateway.queryPage('q', { maxItemsPerPage: 1 }, call);
  expect(first).toEqual({ rows: [{ $dtId: 'a' }], continuationToken: 't', queryCharge: 1.25 });
  const second = await gateway.queryPage('q', { continuationToken: 't' }, call);
  expect(second.continuationToken).toBeUndefined();
  expect(call.stats).toMatchObject({ queryPages: 2, queryUnits: 2.5 });
});

it('a port without paging answers every row as one page, and stats without a charge stay unset', async () => {
  const port = new FakePort();
  port.addTwin('room-1');
  const { gateway, ctx } = setup(port);
  const call = ctx();
  const page = await gateway.queryPage('SELECT * FROM DIGITALTWINS', {}, call);
  expect(page.continuationToken).toBeUndefined();
  expect(page.queryCharge).toBeUndefined();
  expect(call.stats.queryUnits).toBeUndefined();
});
