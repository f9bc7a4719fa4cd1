// A JSON configuration file is read with JSON.parse, which is built in: the YAML parser costs a cold
// worker ~60 ms (loading it and its first document) and a JSON file does not need it. JSON.parse
// keeps the last of two equal keys where the YAML loader (uniqueKeys) reports the duplicate with its
// line, so such text — like anything that is not plain JSON — is left to the YAML parser.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COLON = 0x3a;

const isJsonWhitespace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/** Index just past the string literal that opens at `start` (a quote); the text is valid JSON. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1;
  return i + 1;
}

/** Whether an object in valid JSON text repeats a key (compared after unescaping, as JSON.parse does). */
function hasDuplicateKey(text: string): boolean {
  // The keys seen so far in each object still open, innermost last. A string followed by a colon
  // can only be a key of the innermost object, so arrays need no entry.
  const open: Set<string>[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = endOfString(text, i);
      let next = end;
      while (isJsonWhitespace(text.charCodeAt(next))) next += 1;
      const keys = open[open.length - 1];
      if (text.charCodeAt(next) === COLON && keys) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (keys.has(key)) return true;
        keys.add(key);
      }
      i = end;
      continue;
    }
    if (code === OPEN_BRACE) open.push(new Set());
    else if (code === CLOSE_BRACE) open.pop();
    i += 1;
  }
  return false;
}

/** The value of `text` when it is a JSON object without a repeated key; undefined for anything else. */
export function parseJsonObject(text: string): unknown {
  let first = 0;
  while (isJsonWhitespace(text.charCodeAt(first))) first += 1;
  if (text.charCodeAt(first) !== OPEN_BRACE) return undefined; // YAML (or not an object): not ours
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // a YAML flow mapping, or broken JSON the YAML parser explains with its line
  }
  return hasDuplicateKey(text) ? undefined : value;
}
