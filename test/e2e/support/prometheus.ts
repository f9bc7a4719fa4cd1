// Reads samples out of Prometheus text (the exposition format the local /metrics serves).

/** The value of the sample `name{labels…}` whose labels include every given one; 0 when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (!Object.entries(labels).every(([k, v]) => have[k] === v)) continue;
    // Several series can match (e.g. every reason): their sum is what the filter selects.
    total += Number(match[3]);
    found = true;
  }
  return found ? total : 0;
}
