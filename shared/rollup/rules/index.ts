// Rules: what a roll-up says (its schema and settings), compiled (expressions, dependency graph,
// cycle check, levels), checked against DTDL models, and what it computes from a parent's children
// (aggregates, targets). Plain data in, values out: no ADT, no notifications.
export * from './aggregates';
export * from './compile';
export * from './conditions';
export * from './config';
export * from './evaluate';
export * from './graph';
export * from './levels';
export * from './modelCheck';
export * from './safeKeys';
