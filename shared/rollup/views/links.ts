// Parent ↔ child links of a rule, whichever way its relationships point. Outgoing rules
// (parent -contains-> room) list the parent's outgoing relationships; incoming rules
// (room -isPartOf-> level, RealEstateCore's way) list the parent's incoming ones.
import { LruCache } from '../../common';
import type { CallOptions, RollupPort } from '../port';
import type { CompiledRollupRule } from '../rules';

/** One child of a parent, with the relationship (as `<sourceId>/<relationshipId>`) linking them. */
export interface ChildLink {
  childId: string;
  relationshipKey: string;
}

export const relationshipKey = (sourceId: string, relationshipId: string): string => `${sourceId}/${relationshipId}`;

/** The children of `parentId` through any of the rule's relationships (each child once). */
export async function listChildLinks(
  rule: Pick<CompiledRollupRule, 'relationships' | 'direction'>,
  parentId: string,
  port: Pick<RollupPort, 'listOutgoing' | 'listIncoming'>,
  call: CallOptions,
): Promise<ChildLink[]> {
  const byChild = new Map<string, ChildLink>();
  if (rule.direction === 'incoming') {
    for (const link of await port.listIncoming(parentId, call)) {
      if (rule.relationships.has(link.relationshipName))
        byChild.set(link.sourceId, { childId: link.sourceId, relationshipKey: relationshipKey(link.sourceId, link.relationshipId) });
    }
  } else {
    for (const name of rule.relationships) {
      for (const link of await port.listOutgoing(parentId, name, call))
        byChild.set(link.targetId, { childId: link.targetId, relationshipKey: relationshipKey(parentId, link.relationshipId) });
    }
  }
  return [...byChild.values()];
}

export interface LinkListOptions {
  /** How long a completed list is reused (0 = never: every change lists current links). */
  ttlMs?: number;
  /** Twins whose lists are kept. Default 100,000. */
  capacity?: number;
  now?: () => number;
}

interface Listed<T> {
  value: T;
  at: number;
}

interface TwinLists {
  incoming?: Listed<Awaited<ReturnType<RollupPort['listIncoming']>>>;
  outgoing: Map<string, Listed<Awaited<ReturnType<RollupPort['listOutgoing']>>>>;
}

/**
 * A twin's link lists, for finding the parents of a changed child. Notifications handled at the
 * same moment for the same twin (a burst) share the one list call in flight. With `ttlMs`, a
 * completed list is reused that long: a child that changes every second then costs one list per
 * ttl instead of one per change. Relationship events this instance hears drop the lists of both
 * ends at once; one another instance handled can leave a list stale for up to ttl, which is why
 * the propagator refreshes the parents of a topology change only ttl + the query lag later
 * (ROLLUPS.md, "Cost").
 */
export class LinkLists {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly lists: LruCache<string, TwinLists>;
  /** Generation of each twin's last invalidation, so a list started before it is not kept. */
  private readonly dropped: LruCache<string, number>;
  private generation = 0;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: LinkListOptions = {}) {
    this.ttlMs = options.ttlMs ?? 0;
    this.now = options.now ?? Date.now;
    this.lists = new LruCache({ capacity: options.capacity ?? 100_000 });
    this.dropped = new LruCache({ capacity: options.capacity ?? 100_000 });
  }

  /** How long a list may be reused (the delay the propagator adds to topology refreshes). */
  get reuseMs(): number {
    return this.ttlMs;
  }

  incoming(port: Pick<RollupPort, 'listIncoming'>, id: string, call: CallOptions): ReturnType<RollupPort['listIncoming']> {
    const kept = this.fresh(this.lists.get(id)?.incoming);
    if (kept) return Promise.resolve(kept);
    return this.share(
      `in|${id}`,
      id,
      () => port.listIncoming(id, call),
      (entry, value) => (entry.incoming = value),
    );
  }

  outgoing(port: Pick<RollupPort, 'listOutgoing'>, id: string, name: string, call: CallOptions): ReturnType<RollupPort['listOutgoing']> {
    const kept = this.fresh(this.lists.get(id)?.outgoing.get(name));
    if (kept) return Promise.resolve(kept);
    return this.share(
      `out|${id}|${name}`,
      id,
      () => port.listOutgoing(id, name, call),
      (entry, value) => entry.outgoing.set(name, value),
    );
  }

  /** The twin's relationships changed (this instance heard it): list them afresh next time. */
  invalidate(...twinIds: string[]): void {
    if (this.ttlMs <= 0) return;
    this.generation += 1;
    for (const id of twinIds) {
      this.lists.delete(id);
      this.dropped.set(id, this.generation);
    }
  }

  private fresh<T>(listed: Listed<T> | undefined): T | undefined {
    return listed !== undefined && this.now() - listed.at < this.ttlMs ? listed.value : undefined;
  }

  private share<T>(key: string, id: string, start: () => Promise<T>, keep: (entry: TwinLists, value: Listed<T>) => void): Promise<T> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const startedAt = this.now();
    const generation = this.generation;
    const started = start()
      .then((value) => {
        if (this.ttlMs > 0 && (this.dropped.get(id) ?? -1) <= generation) {
          const entry: TwinLists = this.lists.get(id) ?? { outgoing: new Map() };
          keep(entry, { value, at: startedAt });
          this.lists.set(id, entry);
        }
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}

/**
 * Lists parents of one child for many rules, sharing calls: one incoming list serves every
 * outgoing rule, one outgoing list per relationship name serves every incoming rule.
 */
export class ParentFinder {
  private incoming: ReturnType<RollupPort['listIncoming']> | undefined;
  private readonly outgoing = new Map<string, ReturnType<RollupPort['listOutgoing']>>();

  constructor(
    private readonly childId: string,
    private readonly port: Pick<RollupPort, 'listOutgoing' | 'listIncoming'>,
    private readonly call: CallOptions,
    private readonly lists: LinkLists = new LinkLists(),
  ) {}

  async parentsFor(rule: Pick<CompiledRollupRule, 'relationships' | 'direction'>): Promise<string[]> {
    const parents = new Set<string>();
    if (rule.direction === 'incoming') {
      for (const name of rule.relationships) {
        let pending = this.outgoing.get(name);
        if (!pending) {
          pending = this.lists.outgoing(this.port, this.childId, name, this.call);
          this.outgoing.set(name, pending);
        }
        for (const link of await pending) parents.add(link.targetId);
      }
    } else {
      this.incoming ??= this.lists.incoming(this.port, this.childId, this.call);
      for (const link of await this.incoming) if (rule.relationships.has(link.relationshipName)) parents.add(link.sourceId);
    }
    return [...parents];
  }
}
