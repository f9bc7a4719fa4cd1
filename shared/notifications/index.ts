// ADT change notifications in either Event Grid schema, parsed into one shape.
export { detectSchema, parseNotification } from './parse';
export type * from './types';
export { type AdtKind, adtKindOf, adtTypes, toChange } from './validate';
