// Ajv reports a failed `oneOf` with every form's complaints and then "must match exactly one
// schema in oneOf": an unknown aggregate gave six contradictory lines (`aggregate: is required`
// next to `unknown property "aggregate"`). Here each failed oneOf keeps only the complaints of the
// form the value was meant to be — the one whose own shape (required keys, unknown keys, type,
// const) it breaks least — and when two forms fit equally badly, one line naming the forms.
import type { ErrorObject } from 'ajv';

export type SchemaProblem = ErrorObject;

const shapeKeywords = new Set(['required', 'additionalProperties', 'type', 'const', 'enum']);

const isUnder = (path: string, base: string): boolean => path === base || path.startsWith(`${base}/`);
const depth = (path: string): number => (path === '' ? 0 : path.split('/').length);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A form as a reader knows it: `"remove"`, `an object with expression and inputs`, `a number`. */
function describeForm(schema: unknown): string {
  const form = record(schema) ?? {};
  if ('const' in form) return JSON.stringify(form.const);
  const required = Array.isArray(form.required) ? form.required.filter((r): r is string => typeof r === 'string') : [];
  if (required.length > 0) return `an object with ${required.join(' and ')}`;
  if (typeof form.type === 'string') return /^[aeiou]/.test(form.type) ? `an ${form.type}` : `a ${form.type}`;
  return 'another form';
}

function collapseOne(problems: SchemaProblem[], oneOf: SchemaProblem): SchemaProblem[] {
  const forms = Array.isArray(oneOf.schema) ? (oneOf.schema as unknown[]) : [];
  const passing = (oneOf.params as { passingSchemas?: unknown }).passingSchemas;
  if (forms.length === 0 || (passing !== null && passing !== undefined)) return problems;
  const base = oneOf.instancePath;
  const branchPattern = new RegExp(`^${escapeRegExp(oneOf.schemaPath)}/(\\d+)(/|$)`);
  const branchOf = (p: SchemaProblem): number | undefined => {
    const match = branchPattern.exec(p.schemaPath);
    return match ? Number(match[1]) : undefined;
  };
  const under = problems.filter((p) => p !== oneOf && isUnder(p.instancePath, base));
  const misfit = forms.map(
    (_, i) => under.filter((p) => branchOf(p) === i && p.instancePath === base && shapeKeywords.has(p.keyword)).length,
  );
  const fewest = Math.min(...misfit);
  const candidates = misfit.flatMap((count, i) => (count === fewest ? [i] : []));
  let replacement: SchemaProblem[];
  if (candidates.length === 1) {
    const chosen = candidates[0] as number;
    const declared = record(record(forms[chosen])?.properties);
    replacement = under.filter((p) => {
      const branch = branchOf(p);
      if (branch !== undefined) return branch === chosen;
      if (p.instancePath === base || declared === undefined) return true;
      // Complaints from a referenced schema: keep those about a key the chosen form declares.
      const key = p.instancePath.slice(base.length + 1).split('/')[0] ?? '';
      return key.replace(/~1/g, '/').replace(/~0/g, '~') in declared;
    });
  } else {
    const named = candidates.map((i) => describeForm(forms[i]));
    replacement = [{ ...oneOf, keyword: 'oneOfForms', message: `must be ${[...new Set(named)].join(' or ')}`, params: {} }];
  }
  const at = problems.indexOf(oneOf);
  const before = problems.slice(0, at).filter((p) => !under.includes(p));
  const after = problems.slice(at + 1).filter((p) => !under.includes(p));
  return [...before, ...replacement, ...after];
}

/** The problems with each failed oneOf reduced to the intended form's; `if`/`then` echoes dropped. */
export function collapseOneOf(errors: readonly SchemaProblem[]): SchemaProblem[] {
  // "must match "then" schema" only repeats the `then` complaint that follows it.
  let problems = errors.filter((e) => e.keyword !== 'if');
  // Innermost first: a nested oneOf (a target's `empty`) is settled before the one around it.
  const oneOfs = problems.filter((e) => e.keyword === 'oneOf').sort((a, b) => depth(b.instancePath) - depth(a.instancePath));
  for (const oneOf of oneOfs) if (problems.includes(oneOf)) problems = collapseOne(problems, oneOf);
  return problems;
}
