// Issue 24.1, roll-up part: `__proto__`, `constructor` and `prototype` at any depth of a child
// twin's properties never reach a prototype and never become an aggregate input, an expression's
// (template's) value or a parent's value — whether they arrive in a notification's patch (kept in
// the views), in a twin read from ADT, or are merely inherited members of a plain object.
import type { Twin } from '../../../../shared/adt';
import type { RollupRule } from '../../../../shared/rollup';
import { childCounts, compileRollups, evaluateRule, Propagator, RollupConfigError, silentLogger } from '../../../../shared/rollup';
import { twinUpdate } from '../events';
import { M } from '../fixtures';
import { MemoryPort } from '../memoryPort';

const probe = (): Record<string, unknown> => ({});

function world(rules: RollupRule[]) {
  const port = new MemoryPort();
  port.models.set(M.thermostat, []);
  port.models.set(M.room, []);
  port.addTwin('room1', M.room);
  port.addTwin('t1', M.thermostat, { temperature: 20 });
  port.addTwin('t2', M.thermostat, { temperature: 24 });
  port.relate('room1', 'contains', 't1');
  port.relate('room1', 'contains', 't2');
  const propagator = new Propagator({ compiled: compileRollups({ settings: { queryLagSeconds: 60 }, rules }), port });
  return {
    port,
    propagator,
    handle: (event: unknown) => propagator.handle(event, silentLogger),
    room: () => port.twins.get('room1')!.twin,
  };
}

const avgRule: RollupRule = {
  name: 'room',
  parentModel: M.room,
  relationships: ['contains'],
  childModel: M.thermostat,
  properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
};

describe('a notification patch naming __proto__, constructor or prototype (view mode)', () => {
  afterEach(() => {
    for (const key of ['temperature', 'polluted']) delete (Object.prototype as Record<string, unknown>)[key];
  });

  it("never sets a child copy's prototype nor Object.prototype, and never becomes an input", async () => {
    const { port, handle, room, propagator } = world([avgRule]);
    await handle(twinUpdate('t1', M.thermostat, [{ op: 'replace', path: '/temperature', value: 20 }]));
    expect(room().temperature).toBe(22); // the views are loaded
    port.set('t2', 'temperature', 26);
    await handle(
      twinUpdate('t2', M.thermostat, [
        { op: 'remove', path: '/temperature' }, // t2's copy then has no own temperature…
        { op: 'add', path: '/__proto__', value: { temperature: 99 } }, // …and must not inherit one
        { op: 'add', path: '/__proto__/polluted', value: 'yes' },
        { op: 'add', path: '/constructor/prototype/polluted', value: 'yes' },
        { op: 'add', path: '/prototype', value: { temperature: 98 } },
      ]),
    );
    expect(probe().polluted).toBeUndefined();
    expect(probe().temperature).toBeUndefined();
    expect(room().temperature).toBe(20); // t1 alone: t2's copy holds no temperature, own or inherited
    propagator.close();
  });
});

describe('child values holding the keys at any depth', () => {
  const hostile = (): Twin =>
    JSON.parse(
      '{"$dtId":"t1","$metadata":{"$model":"dtmi:test:Thermostat;1"},"config":{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},"mode":"eco","nested":[{"prototype":1,"ok":2}]}}',
    ) as Twin;
  const copyRule = (properties: RollupRule['properties']) =>
    compileRollups([{ name: 'r', parentModel: M.room, relationships: ['contains'], childModel: M.thermostat, properties }]).rules[0]!;

  it('copy writes the value without them (its own keys only, at every depth)', async () => {
    const [derived] = await evaluateRule(copyRule({ config: { aggregate: 'copy', of: 'config' } }), [hostile()]);
    expect(JSON.stringify(derived?.value)).toBe('{"mode":"eco","nested":[{"ok":2}]}');
    expect(Object.getPrototypeOf(derived?.value)).toBe(Object.prototype);
    expect((derived?.value as Record<string, unknown>).admin).toBeUndefined();
  });

  it('an expression never sees them', async () => {
    const rule = copyRule({
      keys: { expression: '$keys($c)', inputs: { c: { aggregate: 'copy', of: 'config' } } },
      admin: { expression: '$c.constructor.prototype.admin', inputs: { c: { aggregate: 'copy', of: 'config' } }, empty: { value: 'none' } },
    });
    const derived = await evaluateRule(rule, [hostile()]);
    expect([...(derived.find((d) => d.property === 'keys')?.value as string[])]).toEqual(['mode', 'nested']);
    expect(derived.find((d) => d.property === 'admin')?.value).toBe('none');
  });

  it('a where filter never sees them', async () => {
    const compiled = compileRollups([
      {
        name: 'r',
        parentModel: M.room,
        relationships: ['contains'],
        childModel: M.thermostat,
        where: '$exists(config.constructor) or $exists(config.__proto__)',
        properties: { n: { aggregate: 'count' } },
      },
    ]);
    expect(await childCounts(compiled.rules[0]!, hostile())).toBe(false);
  });

  it('an inherited member (valueOf, toString) is never an input: only own properties are read', async () => {
    const [derived] = await evaluateRule(copyRule({ v: { aggregate: 'copy', of: 'valueOf', empty: { value: 'none' } } }), [hostile()]);
    expect(derived?.value).toBe('none');
  });

  it('a rule cannot name them as its input', () => {
    for (const of of ['constructor', 'config/prototype']) {
      expect(() =>
        compileRollups([{ name: 'r', parentModel: M.room, relationships: ['contains'], properties: { x: { aggregate: 'copy', of } } }]),
      ).toThrow(RollupConfigError);
    }
  });
});
