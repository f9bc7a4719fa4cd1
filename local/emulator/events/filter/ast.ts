// Syntax tree of a route filter, produced by parse.ts and turned into a predicate by compile.ts.
import type { ComparisonOp } from './tokenize';

/** CloudEvents attributes a filter may name directly (ADT how-to-create-routes). */
export const filterAttributes = ['type', 'source', 'subject', 'id', 'dataschema', 'datacontenttype', 'specversion'] as const;
export type FilterAttribute = (typeof filterAttributes)[number];

export type StringFunction = 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS';

export type Operand =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'attribute'; name: FilterAttribute }
  /** `$body.<path>`: a walk into the notification's `data`. */
  | { kind: 'body'; path: string[] }
  /** Legacy `$eventType`, whose values are the pre-CloudEvents category names. */
  | { kind: 'legacyEventType' };

export type Condition =
  | { kind: 'constant'; value: boolean }
  | { kind: 'or' | 'and'; items: Condition[] }
  | { kind: 'compare'; op: ComparisonOp; left: Operand; right: Operand }
  | { kind: 'call'; fn: StringFunction; subject: Operand; argument: Operand };
