// String literals of ADT's query language: a backslash and a single quote are escaped with a backslash.
// One definition, since twin ids reach queries from devices (templates), rules and the twin pre-load.

/** The text escaped for use between single quotes. */
export function escapeQueryString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

/** The text as a quoted literal. */
export function quoteQueryString(text: string): string {
  return `'${escapeQueryString(text)}'`;
}
