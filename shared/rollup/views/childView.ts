// Per-parent views of the children's current documents, kept current by notifications, so a
// child change costs no read: the notification's patch is applied to our copy of the child, and
// the parent is recomputed from the view. One copy per child however many views hold it; views
// are bounded by the total number of children they hold (oldest-used views go first).
//
// A view is a cache, never the truth: a view loaded by query may trail ADT by the query lag, and
// another instance may handle some of the children's notifications. The propagator therefore
// re-reads a view queryLag after its last change (the trailing refresh, ROLLUPS.md "Cost").
import type { JsonPatchOperation, Twin } from '../../adt';
import { compareSourceTimes } from '../../common';
import type { CompiledRollupRule } from '../rules';
import type { ChildLink } from './links';
import { applyPatchToCopy } from './patchCopy';

type Grouping = Pick<CompiledRollupRule, 'relationships' | 'direction'>;

/** Rules with the same relationships and direction share one view per parent. */
export function viewGroupOf(rule: Grouping): string {
  return `${rule.direction}|${[...rule.relationships].sort().join(',')}`;
}

const viewKeyOf = (group: string, parentId: string): string => `${group}|${parentId}`;

interface View {
  parentId: string;
  group: string;
  /** childId → relationship keys linking it to the parent. */
  members: Map<string, Set<string>>;
}

interface Copy {
  twin: Twin;
  views: Set<string>;
}

export interface LoadedChild {
  link: ChildLink;
  twin: Twin;
}

/** Values with a newer sourceTime in our copy than in a (possibly lagging) read are kept. */
function keepNewer(loaded: Twin, existing: Twin): Twin {
  for (const [key, meta] of Object.entries(existing.$metadata)) {
    if (key.startsWith('$') || meta === null || typeof meta !== 'object') continue;
    const mine = (meta as { sourceTime?: unknown }).sourceTime;
    if (typeof mine !== 'string') continue;
    const theirs = (loaded.$metadata[key] as { sourceTime?: unknown } | undefined)?.sourceTime;
    if (typeof theirs !== 'string' || compareSourceTimes(mine, theirs) > 0) {
      if (Object.hasOwn(existing, key)) loaded[key] = existing[key];
      else delete loaded[key];
      loaded.$metadata[key] = meta;
    }
  }
  return loaded;
}

interface RecentPatch {
  at: number;
  receivedAt: string;
  patch: readonly JsonPatchOperation[];
}

export interface ChildViewsOptions {
  /** Total children held across views (a child in two views counts twice). Default 500,000. */
  capacity?: number;
  /** How long patches are kept to replay onto a view loaded by a lagging query (the query lag). */
  replayMs?: number;
  now?: () => number;
}

export class ChildViews {
  private readonly views = new Map<string, View>();
  private readonly copies = new Map<string, Copy>();
  private readonly byRelationship = new Map<string, Set<string>>();
  /** Patches of the last replayMs, per child: a view loaded by query meanwhile lacks them. */
  private readonly recent = new Map<string, RecentPatch[]>();
  private held = 0;
  private readonly capacity: number;
  private readonly replayMs: number;
  private readonly now: () => number;

  constructor(options: ChildViewsOptions = {}) {
    this.capacity = options.capacity ?? 500_000;
    this.replayMs = options.replayMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /** The view's children, or undefined when this instance holds no view of the parent. */
  children(rule: Grouping, parentId: string): Twin[] | undefined {
    const key = viewKeyOf(viewGroupOf(rule), parentId);
    const view = this.views.get(key);
    if (!view) return undefined;
    this.views.delete(key);
    this.views.set(key, view);
    return [...view.members.keys()].flatMap((id) => {
      const copy = this.copies.get(id);
      return copy ? [copy.twin] : [];
    });
  }

  has(rule: Grouping, parentId: string): boolean {
    return this.views.has(viewKeyOf(viewGroupOf(rule), parentId));
  }

  /**
   * Replaces the parent's view with freshly read children. `lagging`: the read came from the query
   * index, so patches received within the lag are replayed on top (in arrival order).
   */
  install(rule: Grouping, parentId: string, loaded: readonly LoadedChild[], lagging = false): void {
    const group = viewGroupOf(rule);
    const key = viewKeyOf(group, parentId);
    // Copies patched since the read started may be newer than what the read returned.
    const previous = new Map<string, Twin>();
    for (const childId of this.views.get(key)?.members.keys() ?? []) {
      const copy = this.copies.get(childId);
      if (copy) previous.set(childId, copy.twin);
    }
    this.drop(key);
    const view: View = { parentId, group, members: new Map() };
    this.views.set(key, view);
    for (const { link, twin } of loaded) {
      const before = previous.get(link.childId);
      this.link(key, view, link, before ? keepNewer(structuredClone(twin), before) : twin);
      if (lagging) this.replay(link.childId);
    }
    this.evict();
  }

  /** Adds one child to the parent's view, if this instance holds one (Relationship.Create). */
  addChild(rule: Grouping, parentId: string, link: ChildLink, twin: Twin): void {
    const key = viewKeyOf(viewGroupOf(rule), parentId);
    const view = this.views.get(key);
    if (view) this.link(key, view, link, twin);
  }

  /** Forgets one relationship; returns the parents whose views held it (the former parents). */
  removeRelationship(relationshipKey: string): string[] {
    const keys = [...(this.byRelationship.get(relationshipKey) ?? [])];
    const parents: string[] = [];
    for (const key of keys) {
      const view = this.views.get(key);
      if (!view) continue;
      parents.push(view.parentId);
      for (const [childId, rels] of view.members) {
        if (!rels.delete(relationshipKey) || rels.size > 0) continue;
        view.members.delete(childId);
        this.release(childId, key);
      }
    }
    this.byRelationship.delete(relationshipKey);
    return parents;
  }

  /** Parents whose views hold `relationshipKey` (for a re-pointed relationship: the old parent). */
  parentsHolding(relationshipKey: string): string[] {
    return [...(this.byRelationship.get(relationshipKey) ?? [])].flatMap((key) => {
      const view = this.views.get(key);
      return view ? [view.parentId] : [];
    });
  }

  /** Parents whose views hold the child. */
  parentsOf(childId: string): string[] {
    return [...(this.copies.get(childId)?.views ?? [])].flatMap((key) => {
      const view = this.views.get(key);
      return view ? [view.parentId] : [];
    });
  }

  /** Applies a Twin.Update patch to our copy of the child; returns the property keys it changed. */
  applyPatch(childId: string, patch: readonly JsonPatchOperation[], receivedAt: string): Set<string> {
    if (this.replayMs > 0) this.remember(childId, patch, receivedAt);
    const copy = this.copies.get(childId);
    return copy ? applyPatchToCopy(copy.twin, patch, receivedAt) : new Set();
  }

  private remember(childId: string, patch: readonly JsonPatchOperation[], receivedAt: string): void {
    const at = this.now();
    const list = (this.recent.get(childId) ?? []).filter((p) => at - p.at <= this.replayMs);
    list.push({ at, receivedAt, patch });
    this.recent.set(childId, list);
    // Bounded: forget children with nothing recent once the map grows.
    if (this.recent.size > this.capacity) {
      for (const [id, patches] of this.recent) if (patches.every((p) => at - p.at > this.replayMs)) this.recent.delete(id);
    }
  }

  private replay(childId: string): void {
    const copy = this.copies.get(childId);
    const at = this.now();
    for (const p of this.recent.get(childId) ?? [])
      if (copy && at - p.at <= this.replayMs) applyPatchToCopy(copy.twin, p.patch, p.receivedAt);
  }

  /** Twin.Delete: the child leaves every view; returns the parents that held it. */
  removeChild(childId: string): string[] {
    const copy = this.copies.get(childId);
    if (!copy) return [];
    const parents: string[] = [];
    for (const key of [...copy.views]) {
      const view = this.views.get(key);
      if (!view) continue;
      parents.push(view.parentId);
      for (const rel of view.members.get(childId) ?? []) this.byRelationship.get(rel)?.delete(key);
      view.members.delete(childId);
      this.release(childId, key);
    }
    return parents;
  }

  /** Children held across views (for diagnostics and tests). */
  get size(): number {
    return this.held;
  }

  private link(key: string, view: View, link: ChildLink, twin: Twin): void {
    let rels = view.members.get(link.childId);
    if (!rels) {
      rels = new Set();
      view.members.set(link.childId, rels);
      this.held += 1;
    }
    rels.add(link.relationshipKey);
    const byRel = this.byRelationship.get(link.relationshipKey) ?? new Set<string>();
    byRel.add(key);
    this.byRelationship.set(link.relationshipKey, byRel);
    const copy = this.copies.get(link.childId);
    if (copy) {
      copy.twin = keepNewer(structuredClone(twin), copy.twin);
      copy.views.add(key);
    } else {
      this.copies.set(link.childId, { twin: structuredClone(twin), views: new Set([key]) });
    }
  }

  private release(childId: string, key: string): void {
    this.held -= 1;
    const copy = this.copies.get(childId);
    copy?.views.delete(key);
    if (copy && copy.views.size === 0) this.copies.delete(childId);
  }

  private drop(key: string): void {
    const view = this.views.get(key);
    if (!view) return;
    for (const [childId, rels] of view.members) {
      for (const rel of rels) this.byRelationship.get(rel)?.delete(key);
      this.release(childId, key);
    }
    this.views.delete(key);
  }

  private evict(): void {
    for (const key of this.views.keys()) {
      if (this.held <= this.capacity || this.views.size <= 1) return;
      this.drop(key);
    }
  }
}
