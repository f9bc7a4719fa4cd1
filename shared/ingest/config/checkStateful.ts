// Load-time checks of stateful mappings against the models: the input property must exist beside the
// target (did-you-mean), and both must be numeric; integrate, rate and ema make fractions, so their
// target must be a double, float or decimal (an integer target would be refused by ADT at every write);
// and the input must take every reading the target takes (an integer input only beside an integer target).

import { didYouMean } from '../../common';
import type { InterfaceView, Schema } from '../../dtdl';
import type { CompiledPropertyMapping } from './ingestConfig';

const numeric = new Set([
  'double',
  'float',
  'decimal',
  'integer',
  'long',
  'short',
  'byte',
  'unsignedInteger',
  'unsignedLong',
  'unsignedShort',
  'unsignedByte',
]);
const fractional = new Set(['double', 'float', 'decimal']);

const isNumeric = (schema: Schema | undefined): boolean => schema?.kind === 'primitive' && numeric.has(schema.name);
const describe = (schema: Schema): string => (schema.kind === 'primitive' ? schema.name : schema.kind);

/** Problems of one stateful mapping against the interfaces that own its target (those with the target property). */
export function checkStatefulAgainstModels(mapping: CompiledPropertyMapping, owners: readonly InterfaceView[]): string[] {
  const stateful = mapping.transform.stateful;
  if (!stateful) return [];
  const problems: string[] = [];
  const { property } = mapping.target;
  for (const view of owners) {
    const target = view.properties.get(property);
    if (!target) continue;
    if (!isNumeric(target.schema))
      problems.push(
        `${mapping.where}.target: ${stateful.kind} writes a number, but "${property}" in ${view.id} is ${describe(target.schema)}`,
      );
    else if (
      stateful.kind !== 'counter' &&
      stateful.kind !== 'delta' &&
      target.schema.kind === 'primitive' &&
      !fractional.has(target.schema.name)
    )
      problems.push(
        `${mapping.where}.target: ${stateful.kind} makes fractions, but "${property}" in ${view.id} is ${target.schema.name}; declare it double`,
      );
    const input = view.properties.get(stateful.input);
    if (!input)
      problems.push(
        `${mapping.where}.transform.${stateful.kind}.input: "${stateful.input}" is not a property of ${view.id}${didYouMean(stateful.input, view.properties.keys())}`,
      );
    else if (!isNumeric(input.schema))
      problems.push(
        `${mapping.where}.transform.${stateful.kind}.input: "${stateful.input}" in ${view.id} is ${describe(input.schema)}; it keeps the previous reading, so it must be numeric`,
      );
    // A reading the target accepts must fit the input too: ADT refusing the input alone would leave a total ahead of its sample.
    else if (
      input.schema.kind === 'primitive' &&
      !fractional.has(input.schema.name) &&
      (target === undefined || target.schema.kind !== 'primitive' || fractional.has(target.schema.name))
    )
      problems.push(
        `${mapping.where}.transform.${stateful.kind}.input: "${stateful.input}" in ${view.id} is ${input.schema.name}, but readings may have fractions (the target is not an integer); declare it double`,
      );
  }
  return problems;
}
