// Load-time checks of the ingest rules against the models they will meet (the scenario's, or those
// fetched from ADT): a target property no model has, a component no model has, a match.modelId that
// names no model. Without this a typo shows up only as refused values, message after message.

import { didYouMean } from '../../common';
import type { InterfaceView, ModelIndex } from '../../dtdl';
import { checkStatefulAgainstModels } from './checkStateful';
import type { CompiledIngest } from './ingestConfig';

/** Every problem as `<rule location>: <what is wrong> (did you mean …?)`; empty when the rules fit the models. */
export function checkIngestAgainstModels(ingest: CompiledIngest, index: ModelIndex): string[] {
  const views = index.ids().flatMap((id) => {
    const view = index.interface(id);
    return view ? [view] : [];
  });
  const problems: string[] = [];
  for (const rule of ingest.rules) {
    // A rule matched by model id is checked against those models only; any other against all of them.
    const candidates = rule.match.modelId ? views.filter((v) => rule.match.modelId?.(v.id)) : views;
    if (rule.match.modelId && candidates.length === 0) {
      problems.push(`${rule.where}.match.modelId: no model matches it (models: ${views.map((v) => v.id).join(', ') || 'none'})`);
      continue;
    }
    for (const mapping of rule.properties) {
      const { component, property } = mapping.target;
      const owners = component === undefined ? candidates : candidates.flatMap((v) => componentView(v, component, index));
      if (component !== undefined && owners.length === 0) {
        const components = candidates.flatMap((v) => [...v.components.keys()]);
        problems.push(`${mapping.where}.target: no model has a component "${component}"${didYouMean(component, components)}`);
        continue;
      }
      if (!owners.some((v) => v.properties.has(property))) {
        const known = owners.flatMap((v) => [...v.properties.keys()]);
        problems.push(
          `${mapping.where}.target: "${component === undefined ? property : `${component}/${property}`}" is not a property of ${rule.match.modelId ? 'the models this rule matches' : 'any model'}${didYouMean(property, known)}`,
        );
      } else problems.push(...checkStatefulAgainstModels(mapping, owners));
    }
  }
  return problems;
}

function componentView(view: InterfaceView, component: string, index: ModelIndex): InterfaceView[] {
  const definition = view.components.get(component);
  const target = definition ? index.interface(definition.interfaceId) : undefined;
  return target ? [target] : [];
}
