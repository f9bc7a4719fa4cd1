// Follows the twin graph while the loop runs: each poll compares every twin's $etag (and the set of
// relationships, the models, the counters, the dead letters) with the last poll and yields only what
// changed, so a quiet graph costs one pass over the ids and nothing is sent. The same comparison
// lists what the "Changes" panel shows (graphEvents.ts): twins that appeared or went away, and
// connection, condition and staleness changes.
import type { Derivations } from './derivations';
import { type GraphEvent, recentEventLimit, twinEvents } from './graphEvents';
import { buildGraphView, type GraphView, type RelationshipView, type TwinView, twinView, type WireDocument } from './graphView';
import type { DeadLetterView } from './page';
import type { StatusRules } from './twinStatus';

export interface GraphSource {
  /**
   * Current twins and relationships, never changed by the view. Values are kept by reference, which
   * is safe for the emulator's store: a write replaces a document, it never edits one in place.
   */
  read(): Promise<{ twins: Iterable<WireDocument>; relationships: Iterable<WireDocument> }>;
}

export interface GraphUpdate {
  /** True for the first update a client gets: everything, and the twins not in it are gone. */
  full?: boolean;
  twins?: TwinView[];
  removed?: string[];
  relationships?: RelationshipView[];
  models?: GraphView['models'];
  counters?: Record<string, unknown>;
  deadLetters?: DeadLetterView[];
  deadLetterNote?: string;
  /** What appeared, went away or changed state since the last update (oldest first); with `full`, the recent ones. */
  events?: GraphEvent[];
}

export interface LiveGraphOptions {
  source: GraphSource;
  derivations: Derivations;
  knownModels: readonly string[];
  counters: () => Record<string, unknown>;
  deadLetters: () => Promise<{ items: DeadLetterView[]; note?: string }>;
  /** What marks a node (connection, conditions, staleness); without it, no node is marked. */
  statusRules?: StatusRules;
  /** The time stamped on events (default: the wall clock). */
  now?: () => Date;
}

export function isEmptyUpdate(update: GraphUpdate): boolean {
  return Object.keys(update).length === 0;
}

export class LiveGraph {
  private etags = new Map<string, string>();
  private views = new Map<string, TwinView>();
  private relationships: RelationshipView[] = [];
  private relationshipEtags = new Map<string, string>();
  private models: GraphView['models'] = [];
  private modelKey = '';
  private countersJson = '';
  private counters: Record<string, unknown> = {};
  private deadLetters: DeadLetterView[] = [];
  private deadLetterNote: string | undefined;
  private deadLetterKey = '';
  private polled = false;
  private recentEvents: GraphEvent[] = [];

  constructor(private readonly options: LiveGraphOptions) {}

  /** The graph as of the last poll. */
  view(): GraphView {
    return {
      twins: [...this.views.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      relationships: this.relationships,
      models: this.models,
    };
  }

  snapshot(): GraphUpdate {
    const view = this.view();
    return {
      full: true,
      twins: view.twins,
      relationships: view.relationships,
      models: view.models,
      counters: this.counters,
      deadLetters: this.deadLetters,
      ...(this.deadLetterNote && { deadLetterNote: this.deadLetterNote }),
      events: this.recentEvents,
    };
  }

  currentCounters(): Record<string, unknown> {
    return this.counters;
  }

  currentDeadLetters(): { items: DeadLetterView[]; note?: string } {
    return { items: this.deadLetters, ...(this.deadLetterNote && { note: this.deadLetterNote }) };
  }

  /** One poll: what changed since the previous one (empty when nothing did). */
  async poll(options: { deadLetters: boolean } = { deadLetters: true }): Promise<GraphUpdate> {
    const update: GraphUpdate = {};
    const { twins, relationships } = await this.options.source.read();
    const docs = [...twins];
    const relationshipDocs = [...relationships];

    // Colours follow the set of models, so a new model recolours every twin.
    const present = new Set<string>();
    for (const doc of docs) present.add(String((doc.$metadata as Record<string, unknown> | undefined)?.$model ?? '?'));
    const modelKey = [...present].sort().join('\n');
    const recolour = modelKey !== this.modelKey;
    if (recolour) {
      this.modelKey = modelKey;
      this.models = buildGraphView(
        [...present].map((model) => ({ $dtId: model, $metadata: { $model: model } })),
        [],
        {},
        this.options.knownModels,
      ).models;
      update.models = this.models;
    }
    const colours = Object.fromEntries(this.models.map((m) => [m.id, m.colour]));

    // Events are stamped with the poll's time; the first poll is the starting point, nothing in it is news.
    const at = (this.options.now?.() ?? new Date()).toISOString();
    const events: GraphEvent[] = [];
    const seen = new Set<string>();
    const changed: TwinView[] = [];
    for (const doc of docs) {
      const id = String(doc.$dtId);
      seen.add(id);
      const etag = String(doc.$etag ?? JSON.stringify(doc));
      if (!recolour && this.etags.get(id) === etag) continue;
      this.etags.set(id, etag);
      const view = twinView(doc, this.options.derivations, colours, this.options.statusRules);
      if (this.polled) events.push(...twinEvents(this.views.get(id), view, at));
      this.views.set(id, view);
      changed.push(view);
    }
    const removed = [...this.etags.keys()].filter((id) => !seen.has(id));
    for (const id of removed) {
      const gone = this.relationships.filter((r) => r.source === id || r.target === id).length;
      if (this.polled) events.push(...twinEvents(this.views.get(id), undefined, at, gone));
      this.etags.delete(id);
      this.views.delete(id);
    }
    this.polled = true;
    if (events.length > 0) {
      update.events = events;
      this.recentEvents = [...this.recentEvents, ...events].slice(-recentEventLimit);
    }
    if (changed.length > 0) update.twins = changed;
    if (removed.length > 0) update.removed = removed;

    // Relationships by $etag as well; the list is rebuilt (and sent whole) only when one changed.
    let relationshipsChanged = false;
    const seenRelationships = new Set<string>();
    for (const doc of relationshipDocs) {
      const key = `${String(doc.$sourceId)}/${String(doc.$relationshipId)}`;
      const etag = String(doc.$etag ?? JSON.stringify(doc));
      seenRelationships.add(key);
      if (this.relationshipEtags.get(key) === etag) continue;
      this.relationshipEtags.set(key, etag);
      relationshipsChanged = true;
    }
    for (const key of [...this.relationshipEtags.keys()]) {
      if (seenRelationships.has(key)) continue;
      this.relationshipEtags.delete(key);
      relationshipsChanged = true;
    }
    if (relationshipsChanged) {
      this.relationships = buildGraphView([], relationshipDocs, {}).relationships;
      update.relationships = this.relationships;
    }

    const counters = this.options.counters();
    const countersJson = JSON.stringify(counters);
    if (countersJson !== this.countersJson) {
      this.countersJson = countersJson;
      this.counters = JSON.parse(countersJson) as Record<string, unknown>;
      update.counters = this.counters;
    }

    if (options.deadLetters) {
      const dead = await this.options.deadLetters();
      const key = JSON.stringify(dead);
      if (key !== this.deadLetterKey) {
        this.deadLetterKey = key;
        this.deadLetters = dead.items;
        this.deadLetterNote = dead.note;
        update.deadLetters = dead.items;
        if (dead.note) update.deadLetterNote = dead.note;
      }
    }
    return update;
  }
}
