import Ajv from 'ajv';

import type { Twin } from '../../../../shared/adt';
import type { RollupRule, TargetSpec } from '../../../../shared/rollup';
import { compileRollups, evaluateRule, RollupConfigError, rollupsSchema } from '../../../../shared/rollup';

const rule = (properties: Record<string, TargetSpec>): RollupRule => ({
  name: 'r',
  parentModel: 'dtmi:t:Room;1',
  relationships: ['contains'],
  childModel: 'dtmi:t:Sensor;1',
  properties,
});
const twin = (id: string, props: Record<string, unknown>, sourceTime?: string): Twin => ({
  $dtId: id,
  $metadata: {
    $model: 'dtmi:t:Sensor;1',
    ...Object.fromEntries(
      Object.keys(props).map((k) => [k, { lastUpdateTime: '2024-01-01T00:00:00Z', ...(sourceTime && { sourceTime }) }]),
    ),
  },
  ...props,
});

async function derive(properties: Record<string, TargetSpec>, children: Twin[]): Promise<Record<string, unknown>> {
  const compiled = compileRollups([rule(properties)]);
  const values = await evaluateRule(compiled.rules[0]!, children);
  return Object.fromEntries(values.map((v) => [v.property, v.value]));
}

describe('roll-up semantics', () => {
  it('an expression with no contributing child gets its empty value, not the expression result', async () => {
    const label = {
      expression: "$exists($avg) ? 'measured' : 'never'",
      inputs: { avg: { aggregate: 'avg' as const, of: 'temperature' } },
      empty: { value: 'unknown' },
    };
    expect(await derive({ label }, [])).toEqual({ label: 'unknown' });
    expect(await derive({ label }, [twin('a', { humidity: 3 })])).toEqual({ label: 'unknown' });
    expect(await derive({ label }, [twin('a', { temperature: 3 })])).toEqual({ label: 'measured' });
    // Without `empty`, nothing contributing removes the property.
    const { empty: _, ...noEmpty } = label;
    expect(await derive({ label: noEmpty }, [])).toEqual({ label: undefined });
  });

  it('count writes 0 by default for no children, and honours an explicit empty', async () => {
    expect(await derive({ n: { aggregate: 'count' } }, [])).toEqual({ n: 0 });
    expect(await derive({ n: { aggregate: 'count', empty: 'remove' } }, [])).toEqual({ n: undefined });
    expect(await derive({ n: { aggregate: 'count', empty: { value: -1 } } }, [])).toEqual({ n: -1 });
    expect(await derive({ n: { aggregate: 'count', of: 'temperature', empty: { value: 'none' } } }, [twin('a', { humidity: 1 })])).toEqual({
      n: 'none',
    });
    expect(await derive({ n: { aggregate: 'count' } }, [twin('a', {}), twin('b', {})])).toEqual({ n: 2 });
    expect(await derive({ n: { aggregate: 'countDistinct', of: 'mode' } }, [])).toEqual({ n: 0 });
  });

  it('median, population stddev and countDistinct', async () => {
    const kids = [3, 1, 4, 1, 5].map((v, i) => twin(`k${i}`, { v, mode: v % 2 === 0 ? 'even' : 'odd' }));
    const out = await derive(
      {
        med: { aggregate: 'median', of: 'v' },
        sd: { aggregate: 'stddev', of: 'v' },
        modes: { aggregate: 'countDistinct', of: 'mode' },
        values: { aggregate: 'countDistinct', of: 'v' },
      },
      kids,
    );
    expect(out.med).toBe(3);
    // mean 2.8; squared deviations 0.04 + 3.24 + 1.44 + 3.24 + 4.84 = 12.8; / 5 = 2.56
    expect(out.sd).toBeCloseTo(1.6, 12);
    expect(out).toMatchObject({ modes: 2, values: 4 });
    expect((await derive({ med: { aggregate: 'median', of: 'v' } }, kids.slice(0, 4))).med).toBe(2); // 1 1 3 4
  });

  it('weighted avg uses each child weight and skips children without a positive numeric weight', async () => {
    const kids = [
      twin('a', { t: 20, area: 10 }),
      twin('b', { t: 30, area: 30 }),
      twin('c', { t: 99 }),
      twin('d', { t: 99, area: 0 }),
      twin('e', { t: 99, area: 'big' }),
    ];
    expect((await derive({ t: { aggregate: 'avg', of: 't', weight: 'area' } }, kids)).t).toBe(27.5);
    expect((await derive({ t: { aggregate: 'avg', of: 't', weight: 'area' } }, kids.slice(2))).t).toBeUndefined();
    expect(() => compileRollups([rule({ t: { aggregate: 'max', of: 't', weight: 'area' } })])).toThrow(RollupConfigError);
    expect(() => compileRollups([rule({ t: { aggregate: 'max', of: 't', weight: 'area' } })])).toThrow(
      /"weight" only works with aggregate avg/,
    );
  });

  it('of may name a component property; its sourceTime comes from the component metadata', async () => {
    const sensor = (id: string, co2: number, sourceTime: string): Twin => ({
      $dtId: id,
      $metadata: { $model: 'dtmi:t:Sensor;1' },
      env: { co2, $metadata: { co2: { lastUpdateTime: '2024-01-01T00:00:00Z', sourceTime } } },
    });
    const compiled = compileRollups([rule({ co2: { aggregate: 'max', of: 'env/co2' } })]);
    const [value] = await evaluateRule(compiled.rules[0]!, [
      sensor('a', 400, '2024-02-01T00:00:00Z'),
      sensor('b', 900, '2024-02-01T00:00:05Z'),
      twin('c', { co2: 5000 }),
    ]);
    expect(value).toEqual({ property: 'co2', value: 900, sourceTime: '2024-02-01T00:00:05Z' });
    expect(compiled.rules[0]!.inputProperties.has('env/co2')).toBe(true);
  });

  it('the schema accepts the new aggregates, weight, component paths and direction; rejects bad ones', () => {
    const validate = new Ajv({ allErrors: true }).compile(rollupsSchema);
    const ok = (r: unknown) => validate({ rules: [r] });
    expect(
      ok({
        ...rule({
          a: { aggregate: 'median', of: 'env/co2' },
          b: { aggregate: 'avg', of: 't', weight: 'area' },
          c: { aggregate: 'stddev', of: 't' },
          d: { aggregate: 'countDistinct', of: 'm' },
        }),
        direction: 'incoming',
      }),
    ).toBe(true);
    expect(ok({ ...rule({ a: { aggregate: 'max', of: 't' } }), direction: 'sideways' })).toBe(false);
    expect(ok(rule({ a: { aggregate: 'max', of: 'env/co2/deeper' } }))).toBe(false);
    expect(ok({ ...rule({ a: { aggregate: 'max', of: 't' } }), read: 'view' })).toBe(true);
    expect(ok({ ...rule({ a: { aggregate: 'max', of: 't' } }), read: 'cache' })).toBe(false);
    expect(validate({ settings: { queryLagSeconds: 2, gatherMilliseconds: 50 }, rules: [] })).toBe(true);
  });
});
