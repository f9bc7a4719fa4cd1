// Small guards for walking untyped DTDL JSON without `any`.

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `@type` may be a single term or an array of co-types (e.g. ["Property", "Temperature"]). */
export function typesOf(element: JsonRecord): string[] {
  const type = element['@type'];
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
}

/** DTDL allows a single value or an array wherever a property has multiple values (`extends`, `contents`…). */
export function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** `displayName`/`description` are a plain string (meaning English) or a language map. */
export function languageMap(value: unknown): Record<string, string> {
  if (typeof value === 'string') return { en: value };
  if (!isRecord(value)) return {};
  const map: Record<string, string> = {};
  for (const [lang, text] of Object.entries(value)) if (typeof text === 'string') map[lang] = text;
  return map;
}
