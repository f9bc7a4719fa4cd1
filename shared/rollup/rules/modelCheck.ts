// Load-time checks of roll-up rules against the models they will meet (a scenario's models/, or
// every model of the instance): without them a typo in a relationship or model name passes the
// schema, the run exits 0 and the parent is never updated. Each problem names the rule and offers
// the closest known names. The cycle check runs again with model inheritance, which the models-free
// compile cannot see (rule A's parentModel extends rule B's childModel…).
import { closestNames, didYouMean } from '../../common';
import type { InterfaceView, ModelIndex } from '../../dtdl';
import type { CompiledRollupRule, CompiledRollups } from './compile';
import { checkConditionsAgainstModels, checkStalenessAgainstModels } from './conditions';
import { buildDependencyGraph, describeCycle, findCycle } from './graph';

const shortName = (id: string): string => id.replace(/^dtmi:/, '');

function views(index: ModelIndex): InterfaceView[] {
  return index.ids().flatMap((id) => {
    const view = index.interface(id);
    return view ? [view] : [];
  });
}

/** Two models overlap when a twin may be of both: one is the other or extends it. */
const overlaps = (index: ModelIndex, a: string, b: string): boolean => index.isOfModel(a, b) || index.isOfModel(b, a);

/** `Room` of `dtmi:example:Room;1`: DTMIs share long prefixes, so names are compared by their last segment. */
const lastSegment = (id: string): string => id.replace(/;.*$/, '').split(':').pop() ?? id;

/** ` (did you mean "dtmi:…"?)` for a model id, by its last segment (a typo, or another version). */
export function didYouMeanModel(id: string, known: readonly string[]): string {
  const names = closestNames(lastSegment(id), known.map(lastSegment));
  const close = known.filter((k) => names.includes(lastSegment(k))).slice(0, 3);
  return close.length === 0 ? '' : ` (did you mean ${close.map((c) => `"${c}"`).join(' or ')}?)`;
}

function unknownModel(rule: CompiledRollupRule, field: 'parentModel' | 'childModel', id: string, all: readonly InterfaceView[]): string {
  return `Roll-up rule "${rule.name}": ${field} ${id} is not among the models${didYouMeanModel(
    id,
    all.map((v) => v.id),
  )}. Fix the DTMI or add the model.`;
}

/** The model and every model extending it: a rule for a base model matches twins of its subtypes too. */
function family(view: InterfaceView, all: readonly InterfaceView[], index: ModelIndex): InterfaceView[] {
  return [view, ...all.filter((v) => v.id !== view.id && index.isOfModel(v.id, view.id))];
}

/**
 * The models a child of this rule can have: childModel (and its subtypes) when given, otherwise what
 * the relationships allow (an outgoing relationship's target and the models extending it; for
 * incoming ones, the models declaring the relationship).
 */
function childCandidates(
  rule: CompiledRollupRule,
  parents: readonly InterfaceView[],
  child: InterfaceView | undefined,
  all: readonly InterfaceView[],
  index: ModelIndex,
): InterfaceView[] {
  if (child) return family(child, all, index);
  if (rule.direction === 'incoming') return all.filter((v) => [...rule.relationships].some((r) => v.relationships.has(r)));
  const definitions = [...rule.relationships].flatMap((r) => parents.flatMap((p) => p.relationships.get(r) ?? []));
  if (definitions.length === 0 || definitions.some((d) => d.target === undefined)) return [...all];
  return all.filter((v) => definitions.some((d) => index.isOfModel(v.id, d.target as string)));
}

function checkRelationships(
  rule: CompiledRollupRule,
  parent: InterfaceView,
  child: InterfaceView | undefined,
  all: readonly InterfaceView[],
  index: ModelIndex,
  problems: string[],
): void {
  const at = `Roll-up rule "${rule.name}"`;
  const parents = family(parent, all, index);
  for (const name of rule.relationships) {
    if (rule.direction === 'outgoing') {
      const definitions = parents.flatMap((p) => p.relationships.get(name) ?? []);
      if (definitions.length === 0) {
        const pointsBack = all.some((v) => {
          const target = v.relationships.get(name)?.target;
          return target !== undefined && overlaps(index, parent.id, target);
        });
        const hint = pointsBack ? ' It points at the parent from the child: add direction: incoming.' : '';
        const known = parents.flatMap((p) => [...p.relationships.keys()]);
        problems.push(
          `${at}: relationship "${name}" is not a relationship of ${parent.id}, the parent model (direction outgoing: parent → child)${didYouMean(name, known)}.${hint}`,
        );
        continue;
      }
      const targets = definitions.map((d) => d.target);
      if (child && targets.every((t) => t !== undefined && !overlaps(index, child.id, t))) {
        problems.push(
          `${at}: relationship "${name}" of ${parent.id} targets ${[...new Set(targets)].join(', ')}, which childModel ${child.id} neither is nor extends: no child would ever count.`,
        );
      }
      continue;
    }
    // Incoming: the child declares the relationship and points it at the parent.
    const owners = child ? family(child, all, index) : all;
    const declaring = owners.filter((v) => v.relationships.has(name));
    if (declaring.length === 0) {
      const known = owners.flatMap((v) => [...v.relationships.keys()]);
      const hint = parents.some((p) => p.relationships.has(name))
        ? ` It is a relationship of the parent model: drop direction: incoming.`
        : '';
      problems.push(
        `${at}: relationship "${name}" is not a relationship of ${child ? `${child.id}, the child model` : 'any model'} (direction incoming: child → parent)${didYouMean(name, known)}.${hint}`,
      );
      continue;
    }
    const pointsAtParent = declaring.some((v) => {
      const target = v.relationships.get(name)?.target;
      return target === undefined || overlaps(index, parent.id, target);
    });
    if (!pointsAtParent) {
      const targets = [...new Set(declaring.map((v) => v.relationships.get(name)?.target))].join(', ');
      problems.push(
        `${at}: relationship "${name}" targets ${targets}, which parentModel ${parent.id} neither is nor extends: no parent would ever be updated.`,
      );
    }
  }
}

/** A child property path (`temperature`, `env/co2`) on any of the candidate models, or why not. */
function checkChildProperty(
  path: string,
  role: string,
  rule: CompiledRollupRule,
  candidates: readonly InterfaceView[],
  index: ModelIndex,
  problems: string[],
  target: string,
): void {
  const at = `Roll-up rule "${rule.name}", property "${target}"`;
  const [first, second] = path.split('/') as [string, string | undefined];
  const where =
    rule.childModel !== undefined ? rule.childModel : `the child models (${candidates.map((v) => shortName(v.id)).join(', ') || 'none'})`;
  if (second !== undefined) {
    const components = candidates.flatMap((v) => {
      const def = v.components.get(first);
      const view = def ? index.interface(def.interfaceId) : undefined;
      return view ? [view] : [];
    });
    if (components.length === 0) {
      problems.push(
        `${at}: ${role} "${path}": ${where} has no component "${first}"${didYouMean(
          first,
          candidates.flatMap((v) => [...v.components.keys()]),
        )}.`,
      );
      return;
    }
    if (!components.some((c) => c.properties.has(second))) {
      problems.push(
        `${at}: ${role} "${path}": component "${first}" has no property "${second}"${didYouMean(
          second,
          components.flatMap((c) => [...c.properties.keys()]),
        )}.`,
      );
    }
    return;
  }
  if (candidates.some((v) => v.properties.has(first))) return;
  const telemetry = candidates.some((v) => v.telemetry.has(first))
    ? ' It is Telemetry: twins do not store telemetry, so there is nothing to aggregate; map it to a Property.'
    : '';
  problems.push(
    `${at}: ${role} "${path}" is not a property of ${where}${didYouMean(
      first,
      candidates.flatMap((v) => [...v.properties.keys()]),
    )}.${telemetry}`,
  );
}

function checkRule(rule: CompiledRollupRule, all: readonly InterfaceView[], index: ModelIndex, problems: string[]): void {
  const parent = index.interface(rule.parentModel);
  if (!parent) problems.push(unknownModel(rule, 'parentModel', rule.parentModel, all));
  const child = rule.childModel === undefined ? undefined : index.interface(rule.childModel);
  if (rule.childModel !== undefined && !child) problems.push(unknownModel(rule, 'childModel', rule.childModel, all));
  if (!parent || (rule.childModel !== undefined && !child)) return;
  checkRelationships(rule, parent, child, all, index, problems);
  const parents = family(parent, all, index);
  for (const target of rule.targets) {
    if (!parents.some((p) => p.properties.has(target.property))) {
      problems.push(
        `Roll-up rule "${rule.name}": derived property "${target.property}" is not a property of ${parent.id}${didYouMean(target.property, parent.properties.keys())}. Declare it in the model (ADT refuses to write undeclared properties).`,
      );
    }
  }
  const candidates = childCandidates(rule, parents, child, all, index);
  for (const target of rule.targets) {
    for (const aggregate of target.aggregates) {
      if (aggregate.of !== undefined) checkChildProperty(aggregate.of, 'of', rule, candidates, index, problems, target.property);
      if (aggregate.weight !== undefined)
        checkChildProperty(aggregate.weight, 'weight', rule, candidates, index, problems, target.property);
    }
  }
}

/** A cycle that model inheritance closes, named; undefined when there is none. */
export function findRollupCycleWithModels(compiled: CompiledRollups, index: ModelIndex): string | undefined {
  const graph = buildDependencyGraph(
    compiled.rules.map((r) => ({
      rule: r.name,
      parentModel: r.parentModel,
      childModel: r.childModel,
      childProperties: r.inputProperties,
      targets: r.targets.map((t) => t.property),
    })),
    (model, base) => index.isOfModel(model, base),
  );
  const cycle = findCycle(graph);
  if (!cycle) return undefined;
  return (
    `Roll-up rules form a cycle once model inheritance is followed: ${describeCycle(cycle)}. A derived value would feed itself forever. ` +
    'Break it: give the rules a childModel that excludes the parent model, or derive a differently named property.'
  );
}

/**
 * Every problem of the rules against these models, one line each, naming the rule; empty when the
 * rules fit. Checks parentModel/childModel exist (inheritance counts), relationship names exist for
 * the rule's direction and lead between the two models, derived properties are declared on the
 * parent, `of`/`weight` (also `component/property`) on a model a child can have, and no cycle.
 */
export function checkRollupsAgainstModels(compiled: CompiledRollups, index: ModelIndex): string[] {
  const all = views(index);
  const problems: string[] = [];
  for (const rule of compiled.rules) checkRule(rule, all, index, problems);
  const cycle = findRollupCycleWithModels(compiled, index);
  if (cycle) problems.push(cycle);
  problems.push(
    ...checkConditionsAgainstModels(compiled.conditions ?? [], index),
    ...checkStalenessAgainstModels(compiled.staleness ?? [], index),
  );
  return problems;
}
