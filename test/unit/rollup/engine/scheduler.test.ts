import { ParentScheduler } from '../../../../shared/rollup';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ParentScheduler', () => {
  it('runs one recompute per parent at a time and folds everything that arrives meanwhile into one pending run', async () => {
    const gates: ReturnType<typeof deferred>[] = [];
    const runs: string[][] = [];
    const scheduler = new ParentScheduler<string[], number>(
      async (_key, request) => {
        runs.push(request);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
        return runs.length;
      },
      (a, b) => [...a, ...b],
    );
    const first = scheduler.schedule('room', ['e1']);
    const joined = [scheduler.schedule('room', ['e2']), scheduler.schedule('room', ['e3']), scheduler.schedule('room', ['e4'])];
    expect(runs).toEqual([['e1']]);
    gates[0]!.resolve();
    expect(await first).toEqual({ result: 1, shared: false });
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([['e1'], ['e2', 'e3', 'e4']]);
    gates[1]!.resolve();
    expect(await Promise.all(joined)).toEqual([
      { result: 2, shared: true },
      { result: 2, shared: true },
      { result: 2, shared: true },
    ]);
    expect(scheduler.busy).toBe(0);
  });

  it('keeps parents independent', async () => {
    const started: string[] = [];
    const gate = deferred();
    const scheduler = new ParentScheduler<number, string>(
      async (key) => {
        started.push(key);
        await gate.promise;
        return key;
      },
      (a, b) => a + b,
    );
    const a = scheduler.schedule('A', 1);
    const b = scheduler.schedule('B', 1);
    expect(started).toEqual(['A', 'B']);
    gate.resolve();
    expect((await a).result).toBe('A');
    expect((await b).result).toBe('B');
  });

  it('rejects every waiter of a failed run and still runs the pending one', async () => {
    let calls = 0;
    const gate = deferred();
    const scheduler = new ParentScheduler<number, number>(
      async () => {
        calls += 1;
        if (calls === 1) {
          await gate.promise;
          throw new Error('ADT busy');
        }
        return calls;
      },
      (a, b) => a + b,
    );
    const first = scheduler.schedule('p', 1);
    const second = scheduler.schedule('p', 1);
    gate.resolve();
    await expect(first).rejects.toThrow('ADT busy');
    expect((await second).result).toBe(2);
  });
});
