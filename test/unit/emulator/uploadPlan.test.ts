import { planModelUpload } from '../../../local/emulator/models/uploadPlan';

const model = (id: string, refs: Record<string, unknown> = {}): Record<string, unknown> => ({
  '@id': `dtmi:t:${id};1`,
  '@type': 'Interface',
  ...refs,
});
const ids = (batches: Record<string, unknown>[][]): string[][] =>
  batches.map((b) => b.map((m) => String(m['@id']).replace(/^dtmi:t:|;1$/g, '')));

describe('planModelUpload', () => {
  test('dependencies (extends, component schemas, relationship targets) come before the models that use them', () => {
    const models = [
      model('Room', { extends: 'dtmi:t:Space;1', contents: [{ '@type': 'Component', name: 'area', schema: 'dtmi:t:Area;1' }] }),
      model('Sensor', { contents: [{ '@type': 'Relationship', name: 'isPointOf', target: 'dtmi:t:Room;1' }] }),
      model('Space'),
      model('Area'),
    ];
    const [batch] = ids(planModelUpload(models));
    expect(batch).toHaveLength(4);
    const at = (id: string): number => batch?.indexOf(id) ?? -1;
    expect(at('Space')).toBeLessThan(at('Room'));
    expect(at('Area')).toBeLessThan(at('Room'));
    expect(at('Room')).toBeLessThan(at('Sensor'));
  });

  test('batches hold at most maxPerCall models and never split a dependency from its dependant across a later call', () => {
    const chain = Array.from({ length: 7 }, (_, i) => model(`M${i}`, i > 0 ? { extends: `dtmi:t:M${i - 1};1` } : {}));
    expect(ids(planModelUpload([...chain].reverse(), 3))).toEqual([['M0', 'M1', 'M2'], ['M3', 'M4', 'M5'], ['M6']]);
  });

  test('models that reference each other travel in one call; a cycle larger than a call is an error that says so', () => {
    const a = model('A', { contents: [{ '@type': 'Relationship', name: 'r', target: 'dtmi:t:B;1' }] });
    const b = model('B', { contents: [{ '@type': 'Relationship', name: 'r', target: 'dtmi:t:A;1' }] });
    const c = model('C');
    expect(ids(planModelUpload([c, a, b], 2))).toEqual([['C'], ['A', 'B']]);
    expect(() => planModelUpload([a, b], 1)).toThrow(
      '2 models depend on each other in a cycle (dtmi:t:A;1, dtmi:t:B;1, …), more than the 1 one POST /models call accepts',
    );
  });

  test('references to models outside the set (already uploaded, or DTDL types) are ignored', () => {
    expect(ids(planModelUpload([model('X', { extends: 'dtmi:elsewhere:Base;1', schema: 'dtmi:dtdl:instance:Schema:double;2' })]))).toEqual([
      ['X'],
    ]);
  });
});
