// Which parents must be recomputed, for which rules, after one change notification. Only real
// input changes trigger: a patch touching an input property (any op), a child added or removed
// through a rule's relationship, a child twin created or deleted, a model change.
import type { JsonPatchOperation } from '../../adt';
import { unescapePointerSegment } from '../../common';
import type { ChangeNotification } from '../../notifications';
import type { CallOptions, ModelHierarchy, RollupPort } from '../port';
import type { CompiledRollupRule, CompiledRollups } from '../rules';
import type { LinkLists, ParentIndex } from '../views';
import { ParentFinder } from '../views';

export interface RecomputeRequest {
  parentId: string;
  rules: Set<string>;
}

export interface PlanDeps {
  compiled: CompiledRollups;
  port: Pick<RollupPort, 'listIncoming' | 'listOutgoing'>;
  models: ModelHierarchy;
  parentIndex: ParentIndex;
  /** Parents that held the changed relationship before this change (from the instance's views). */
  formerParents?: readonly string[];
  /** Shares link lists in flight across concurrent notifications (the propagator's). */
  linkLists?: LinkLists;
}

/** What a patch touches: top-level names (any op under them), `component/property` paths, and
 * whether the model changed. `/$metadata/<p>/sourceTime` touches p (latest reads it). */
export interface TouchedProperties {
  properties: Set<string>;
  /** `c/p` for ops under a component property, `/c/p` or `/c/$metadata/p/...`. */
  paths: Set<string>;
  /** Top-level names replaced or removed as a whole (a whole component, say). */
  wholes: Set<string>;
  modelChanged: boolean;
}

export function touchedProperties(patch: readonly JsonPatchOperation[]): TouchedProperties {
  const properties = new Set<string>();
  const paths = new Set<string>();
  const wholes = new Set<string>();
  let modelChanged = false;
  for (const op of patch) {
    const [first, second, third] = op.path.split('/').slice(1).map(unescapePointerSegment);
    if (first === '$metadata') {
      if (second === '$model') modelChanged = true;
      else if (second !== undefined && !second.startsWith('$')) properties.add(second);
    } else if (first !== undefined && first !== '') {
      properties.add(first);
      if (second === undefined) wholes.add(first);
      else if (second === '$metadata' && third !== undefined) paths.add(`${first}/${third}`);
      else if (!second.startsWith('$')) paths.add(`${first}/${second}`);
    }
  }
  return { properties, paths, wholes, modelChanged };
}

/** True when a change to `touched` can change input `input` (`p` or `component/p`). */
export function touchesInput(touched: TouchedProperties, input: string): boolean {
  const slash = input.indexOf('/');
  if (slash < 0) return touched.properties.has(input);
  return touched.paths.has(input) || touched.wholes.has(input.slice(0, slash));
}

async function rulesForChild(
  deps: PlanDeps,
  modelId: string,
  relevant: (rule: CompiledRollupRule) => boolean,
  call: CallOptions,
): Promise<CompiledRollupRule[]> {
  const out: CompiledRollupRule[] = [];
  for (const rule of deps.compiled.rules) {
    if (!relevant(rule)) continue;
    if (rule.childModel === undefined || (await deps.models.isA(modelId, rule.childModel, call))) out.push(rule);
  }
  return out;
}

async function rulesForParent(deps: PlanDeps, modelId: string, call: CallOptions): Promise<CompiledRollupRule[]> {
  const out: CompiledRollupRule[] = [];
  for (const rule of deps.compiled.rules) if (await deps.models.isA(modelId, rule.parentModel, call)) out.push(rule);
  return out;
}

class Requests {
  private readonly byParent = new Map<string, Set<string>>();

  add(parentId: string, rules: Iterable<CompiledRollupRule>): void {
    const set = this.byParent.get(parentId) ?? new Set<string>();
    for (const r of rules) set.add(r.name);
    if (set.size > 0) this.byParent.set(parentId, set);
  }

  list(): RecomputeRequest[] {
    return [...this.byParent].map(([parentId, rules]) => ({ parentId, rules }));
  }
}

/** Parents of `childId` through each rule's relationships, either direction (plus parents
 * remembered for a deleted twin). */
async function addParentsOf(deps: PlanDeps, childId: string, rules: CompiledRollupRule[], out: Requests, call: CallOptions): Promise<void> {
  if (rules.length === 0) return;
  const finder = new ParentFinder(childId, deps.port, call, deps.linkLists);
  for (const rule of rules) for (const parentId of await finder.parentsFor(rule)) out.add(parentId, [rule]);
}

/** The parent end of a relationship for a rule: its source (outgoing) or its target (incoming). */
const parentEnd = (rule: CompiledRollupRule, rel: { sourceId: string; targetId: string }): string =>
  rule.direction === 'incoming' ? rel.targetId : rel.sourceId;

export async function planRecomputes(change: ChangeNotification, deps: PlanDeps, call: CallOptions = {}): Promise<RecomputeRequest[]> {
  const out = new Requests();
  switch (change.kind) {
    case 'twinUpdate': {
      const touched = touchedProperties(change.patch);
      const { modelChanged } = touched;
      // After a model change the old model is unknown, so every rule may have stopped (or started) matching.
      const asChild = await rulesForChild(
        deps,
        change.modelId,
        (r) => modelChanged || [...r.inputProperties].some((p) => touchesInput(touched, p)),
        call,
      );
      const childRules = modelChanged ? deps.compiled.rules : asChild;
      await addParentsOf(deps, change.twinId, childRules, out, call);
      if (modelChanged) out.add(change.twinId, await rulesForParent(deps, change.modelId, call));
      break;
    }
    case 'twinCreate': {
      const model = change.twin.$metadata.$model;
      await addParentsOf(deps, change.twinId, await rulesForChild(deps, model, () => true, call), out, call);
      // A new parent with no children still gets its configured empty values (e.g. count = 0).
      out.add(change.twinId, await rulesForParent(deps, model, call));
      break;
    }
    case 'twinDelete': {
      // ADT refuses to delete a twin that still has relationships, so each former parent also
      // hears a Relationship.Delete; what this instance remembers only makes that quicker.
      const rules = await rulesForChild(deps, change.twin.$metadata.$model, () => true, call);
      await addParentsOf(deps, change.twinId, rules, out, call);
      for (const parentId of [...(deps.formerParents ?? []), ...deps.parentIndex.parentsOf(change.twinId)]) out.add(parentId, rules);
      break;
    }
    case 'relationshipCreate':
    case 'relationshipDelete': {
      const rel = change.relationship;
      for (const rule of deps.compiled.rules) {
        if (!rule.relationships.has(rel.relationshipName)) continue;
        const parentId = parentEnd(rule, rel);
        if (change.kind === 'relationshipDelete')
          deps.parentIndex.forget(rule.direction === 'incoming' ? rel.sourceId : rel.targetId, parentId);
        out.add(parentId, [rule]);
      }
      break;
    }
    case 'relationshipUpdate': {
      // A PUT that re-points a relationship arrives as an update whose patch need not name the
      // target, and the event does not carry the relationship's name. So: outgoing rules recompute
      // the source (their parent) from fresh links; incoming rules recompute the source's current
      // parents and the former ones this instance knows (its views; the reconcile timer covers the rest).
      out.add(
        change.sourceId,
        deps.compiled.rules.filter((r) => r.direction === 'outgoing'),
      );
      const isIncoming = (r: CompiledRollupRule) => r.direction === 'incoming';
      const incoming =
        change.modelId === undefined ? deps.compiled.rules.filter(isIncoming) : await rulesForChild(deps, change.modelId, isIncoming, call);
      await addParentsOf(deps, change.sourceId, incoming, out, call);
      for (const parentId of [...(deps.formerParents ?? []), ...deps.parentIndex.parentsOf(change.sourceId)]) out.add(parentId, incoming);
      break;
    }
    case 'ignored':
      break;
  }
  return out.list();
}
