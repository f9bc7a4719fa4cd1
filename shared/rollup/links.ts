// Parent ↔ child links of a rule, whichever way its relationships point. Outgoing rules
// (parent -contains-> room) list the parent's outgoing relationships; incoming rules
// (room -isPartOf-> level, RealEstateCore's way) list the parent's incoming ones.
import type { CompiledRule } from './compile';
import type { CallOptions, RollupPort } from './ports';

/** One child of a parent, with the relationship (as `<sourceId>/<relationshipId>`) linking them. */
export interface ChildLink {
  childId: string;
  relationshipKey: string;
}

export const relationshipKey = (sourceId: string, relationshipId: string): string => `${sourceId}/${relationshipId}`;

/** The children of `parentId` through any of the rule's relationships (each child once). */
export async function listChildLinks(rule: Pick<CompiledRule, 'relationships' | 'direction'>, parentId: string, port: Pick<RollupPort, 'listOutgoing' | 'listIncoming'>, call: CallOptions): Promise<ChildLink[]> {
  const byChild = new Map<string, ChildLink>();
  if (rule.direction === 'incoming') {
    for (const link of await port.listIncoming(parentId, call)) {
      if (rule.relationships.has(link.relationshipName)) byChild.set(link.sourceId, { childId: link.sourceId, relationshipKey: relationshipKey(link.sourceId, link.relationshipId) });
    }
  } else {
    for (const name of rule.relationships) {
      for (const link of await port.listOutgoing(parentId, name, call)) byChild.set(link.targetId, { childId: link.targetId, relationshipKey: relationshipKey(parentId, link.relationshipId) });
    }
  }
  return [...byChild.values()];
}

/**
 * Single flight for link lists: notifications handled at the same moment for the same twin (a
 * burst) share the one list call in flight instead of each making its own. Nothing is kept once
 * the call returns, so a later change always reads current links.
 */
export class LinkLists {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  incoming(port: Pick<RollupPort, 'listIncoming'>, id: string, call: CallOptions): ReturnType<RollupPort['listIncoming']> {
    return this.share(`in|${id}`, () => port.listIncoming(id, call));
  }

  outgoing(port: Pick<RollupPort, 'listOutgoing'>, id: string, name: string, call: CallOptions): ReturnType<RollupPort['listOutgoing']> {
    return this.share(`out|${id}|${name}`, () => port.listOutgoing(id, name, call));
  }

  private share<T>(key: string, start: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const started = start().finally(() => this.inFlight.delete(key));
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

  async parentsFor(rule: Pick<CompiledRule, 'relationships' | 'direction'>): Promise<string[]> {
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
