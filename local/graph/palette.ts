// One colour per model, stable for a given set of models (sorted), shared by the page and the exports.
const colours = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function modelColours(models: Iterable<string>): Record<string, string> {
  const sorted = [...new Set(models)].sort();
  return Object.fromEntries(sorted.map((model, i) => [model, colours[i % colours.length] as string]));
}
