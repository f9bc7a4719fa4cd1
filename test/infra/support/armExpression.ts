// Evaluates the small subset of ARM template expressions that main.bicep's derived settings
// compile to (if, equals, greater, and, not, min, add, empty, format, string, createArray, createObject, parameters, variables), so a test can check the
// value a deployment would get for given parameters instead of the expression's spelling.

import type { ArmTemplate } from './compiledTemplates';

export type Value = string | number | boolean | { readonly [key: string]: unknown };

const functions: Record<string, (args: Value[]) => Value> = {
  if: ([condition, yes, no]) => (condition === true ? yes : no) as Value,
  equals: ([a, b]) => a === b,
  greater: ([a, b]) => Number(a) > Number(b),
  and: (args) => args.every((a) => a === true),
  not: ([a]) => a !== true,
  min: (args) => Math.min(...args.map(Number)),
  add: ([a, b]) => Number(a) + Number(b),
  empty: ([a]) => (typeof a === 'string' ? a === '' : typeof a === 'object' && Object.keys(a).length === 0),
  format: ([pattern, ...values]) => String(pattern).replace(/\{(\d+)\}/g, (_, i: string) => String(values[Number(i)])),
  string: ([a]) => String(a),
  createArray: (args) => args as unknown as Value,
  createObject: (args) => Object.fromEntries(Array.from({ length: args.length / 2 }, (_, i) => [String(args[2 * i]), args[2 * i + 1]])),
};

/** The value of `[expression]` in `template` with `parameters` (defaults fill the rest). */
export function evaluateArm(expression: string, template: ArmTemplate, parameters: Record<string, Value> = {}): Value {
  const text = expression.replace(/^\[/, '').replace(/\]$/, '');
  let at = 0;
  const skipSpace = () => {
    while (text[at] === ' ') at++;
  };
  const parse = (): Value => {
    skipSpace();
    if (text[at] === "'") {
      const end = text.indexOf("'", at + 1);
      const literal = text.slice(at + 1, end);
      at = end + 1;
      return literal;
    }
    const token = /^[A-Za-z0-9_.-]+/.exec(text.slice(at))?.[0] ?? '';
    if (!token) throw new Error(`unexpected "${text.slice(at)}" in ${expression}`);
    at += token.length;
    if (text[at] !== '(') return /^-?\d+$/.test(token) ? Number(token) : token === 'true' ? true : token === 'false' ? false : token;
    at++;
    const args: Value[] = [];
    skipSpace();
    while (text[at] !== ')') {
      args.push(parse());
      skipSpace();
      if (text[at] === ',') at++;
    }
    at++;
    if (token === 'parameters') {
      const name = String(args[0]);
      if (Object.hasOwn(parameters, name)) return member(parameters[name] as Value);
      const fallback = template.parameters?.[name]?.defaultValue;
      if (fallback === undefined) throw new Error(`parameter ${name} has no default; pass it`);
      return member(fallback as Value);
    }
    if (token === 'variables') {
      const variable = template.variables?.[String(args[0])];
      if (variable === undefined) throw new Error(`variable ${String(args[0])} does not exist`);
      return member(
        typeof variable === 'string' && variable.startsWith('[') ? evaluateArm(variable, template, parameters) : (variable as Value),
      );
    }
    const fn = functions[token];
    if (!fn) throw new Error(`function ${token} is not supported by this evaluator`);
    return member(fn(args));
  };
  // `.name` after a value: a property of an object variable, e.g. variables('names').egressEntity.
  const member = (value: Value): Value => {
    let current = value;
    while (text[at] === '.') {
      at++;
      const name = /^\w+/.exec(text.slice(at))?.[0] ?? '';
      at += name.length;
      if (typeof current !== 'object' || !Object.hasOwn(current, name)) throw new Error(`no property ${name} in ${expression}`);
      current = current[name] as Value;
    }
    return current;
  };
  return parse();
}
