// A synthetic ontology shaped like RealEstateCore: a few roots, deep `extends` chains, components, and
// relationships in both directions between families (so some models can only be uploaded together).

export type Model = Record<string, unknown>;

const CONTEXT = 'dtmi:dtdl:context;2';
const idOf = (family: string, n: number): string => `dtmi:test:onto:${family}${n};1`;

/** `count` models in families of `perFamily`; within a family model n extends model ⌊(n-1)/3⌋ (a tree, depth < 10 as DTDL requires). */
export function syntheticOntology(count: number, perFamily = 40): Model[] {
  const models: Model[] = [];
  const families = Math.ceil(count / perFamily);
  models.push({
    '@id': 'dtmi:test:onto:Area;1',
    '@type': 'Interface',
    '@context': CONTEXT,
    contents: [{ '@type': 'Property', name: 'squareMeters', schema: 'double' }],
  });
  for (let f = 0; f < families && models.length < count; f++) {
    const family = `F${f}x`;
    for (let n = 0; n < perFamily && models.length < count; n++) {
      const contents: Model[] = [{ '@type': 'Property', name: `p${n}`, schema: 'double' }];
      if (n === 0) {
        contents.push({ '@type': 'Component', name: 'area', schema: 'dtmi:test:onto:Area;1' });
        // Family roots point at each other's roots: a cycle ADT only accepts within one call.
        contents.push({ '@type': 'Relationship', name: 'isPartOf', target: idOf(`F${(f + 1) % families}x`, 0) });
        contents.push({ '@type': 'Relationship', name: 'hasPart', target: idOf(`F${(f + families - 1) % families}x`, 0) });
      }
      models.push({
        '@id': idOf(family, n),
        '@type': 'Interface',
        '@context': CONTEXT,
        displayName: `${family} ${n}`,
        ...(n > 0 ? { extends: idOf(family, Math.floor((n - 1) / 3)) } : {}),
        contents,
      });
    }
  }
  return models;
}

/**
 * One model of at least `bytes` serialized size: Properties with 500-character descriptions (DTDL allows
 * 512 and 300 contents, so up to ~160 KB this is valid DTDL; above that it is only good for size checks).
 */
export function bigModel(id: string, bytes: number): Model {
  const contents: Model[] = [];
  const model: Model = { '@id': id, '@type': 'Interface', '@context': CONTEXT, contents };
  let size = Buffer.byteLength(JSON.stringify(model));
  for (let n = 0; size < bytes; n++) {
    const content = {
      '@type': 'Property',
      name: `property${n}`,
      schema: 'double',
      description: `Property ${n}: `.padEnd(500, 'lorem ipsum '),
    };
    contents.push(content);
    size += Buffer.byteLength(JSON.stringify(content)) + 1;
  }
  return model;
}

/** Fisher–Yates with a fixed LCG, so the "unordered" input is the same every run. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
