// Which parents must be recomputed, for which rules, after one change notification. Only real
// input changes trigger: a patch touching an input property (any op), a child added or removed
// through a rule's relationship, a child twin created or deleted, a model change.
import type { JsonPatchOperation } from '../adt';
import { unescapePointerSegment } from '../common';
import type { ChangeNotification } from '../notifications';
import type { CompiledRollups, CompiledRule } from './compile';
import type { ModelHierarchy } from './models';
import type { ParentIndex } from './parentIndex';
import type { CallOptions, RollupPort } from './ports';

export interface RecomputeRequest {
  parentId: string;
  rules: Set<string>;
}

export interface PlanDeps {
  compiled: CompiledRollups;
  port: Pick<RollupPort, 'listIncoming'>;
  models: ModelHierarchy;
  parentIndex: ParentIndex;
}

/** Top-level properties a patch touches; `/$metadata/<p>/sourceTime` touches p (latest reads it). */
export function touchedProperties(patch: readonly JsonPatchOperation[]): { properties: Set<string>; modelChanged: boolean } {
  const properties = new Set<string>();
  let modelChanged = false;
  for (const op of patch) {
    const [first, second] = op.path.split('/').slice(1).map(unescapePointerSegment);
    if (first === '$metadata') {
      if (second === '$model') modelChanged = true;
      else if (second !== undefined && !second.startsWith('$')) properties.add(second);
    } else if (first !== undefined && first !== '') {
      properties.add(first);
    }
  }
  return { properties, modelChanged };
}

async function rulesForChild(deps: PlanDeps, modelId: string, relevant: (rule: CompiledRule) => boolean, call: CallOptions): Promise<CompiledRule[]> {
  const out: CompiledRule[] = [];
  for (const rule of deps.compiled.rules) {
    if (!relevant(rule)) continue;
    if (rule.childModel === undefined || (await deps.models.isA(modelId, rule.childModel, call))) out.push(rule);
  }
  return out;
}

async function rulesForParent(deps: PlanDeps, modelId: string, call: CallOptions): Promise<CompiledRule[]> {
  const out: CompiledRule[] = [];
  for (const rule of deps.compiled.rules) if (await deps.models.isA(modelId, rule.parentModel, call)) out.push(rule);
  return out;
}

class Requests {
  private readonly byParent = new Map<string, Set<string>>();

  add(parentId: string, rules: Iterable<CompiledRule>): void {
    const set = this.byParent.get(parentId) ?? new Set<string>();
    for (const r of rules) set.add(r.name);
    if (set.size > 0) this.byParent.set(parentId, set);
  }

  list(): RecomputeRequest[] {
    return [...this.byParent].map(([parentId, rules]) => ({ parentId, rules }));
  }
}

/** Parents of `childId` reached through each rule's relationships (plus parents remembered for deleted twins). */
async function addParentsOf(deps: PlanDeps, childId: string, rules: CompiledRule[], out: Requests, call: CallOptions): Promise<void> {
  if (rules.length === 0) return;
  for (const link of await deps.port.listIncoming(childId, call)) {
    out.add(link.sourceId, rules.filter((r) => r.relationships.has(link.relationshipName)));
  }
}

export async function planRecomputes(change: ChangeNotification, deps: PlanDeps, call: CallOptions = {}): Promise<RecomputeRequest[]> {
  const out = new Requests();
  switch (change.kind) {
    case 'twinUpdate': {
      const { properties, modelChanged } = touchedProperties(change.patch);
      // After a model change the old model is unknown, so every rule may have stopped (or started) matching.
      const asChild = await rulesForChild(deps, change.modelId, (r) => modelChanged || [...r.inputProperties].some((p) => properties.has(p)), call);
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
      const rules = await rulesForChild(deps, change.twin.$metadata.$model, () => true, call);
      await addParentsOf(deps, change.twinId, rules, out, call);
      for (const parentId of deps.parentIndex.parentsOf(change.twinId)) out.add(parentId, rules);
      break;
    }
    case 'relationshipCreate':
    case 'relationshipDelete': {
      const rel = change.relationship;
      if (change.kind === 'relationshipDelete') deps.parentIndex.forget(rel.targetId, rel.sourceId);
      out.add(rel.sourceId, deps.compiled.rules.filter((r) => r.relationships.has(rel.relationshipName)));
      break;
    }
    case 'relationshipUpdate':
    case 'ignored':
      // Relationship properties are not roll-up inputs.
      break;
  }
  return out.list();
}
