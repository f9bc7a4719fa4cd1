// An in-memory RollupPort for unit tests: twins, relationships, models, with counted calls and
// an optional hook that runs just before a patch (to interleave another writer and force a 412).
import type { JsonPatchOperation as PatchOp, Twin as TwinDocument } from '../../../shared/adt';
import type { IncomingLink, ModelInfo, OutgoingLink, PatchOutcome, RollupPort, TwinSnapshot } from '../../../shared/rollup';

interface Rel {
  id: string;
  source: string;
  name: string;
  target: string;
}

export class MemoryPort implements RollupPort {
  readonly twins = new Map<string, { twin: TwinDocument; etag: number }>();
  readonly rels: Rel[] = [];
  readonly models = new Map<string, string[]>();
  /** Every accepted patch, with the traceparent it was sent with (ADT copies its trace-id into the notification). */
  readonly patches: { id: string; ops: PatchOp[]; traceparent?: string }[] = [];
  beforePatch: ((id: string) => void) | undefined;
  private seq = 0;

  addTwin(id: string, model: string, props: Record<string, unknown> = {}, times: Record<string, string> = {}): void {
    const meta: TwinDocument['$metadata'] = { $model: model };
    for (const key of Object.keys(props))
      meta[key] = { lastUpdateTime: '2024-01-01T00:00:00Z', ...(times[key] ? { sourceTime: times[key] } : {}) };
    this.twins.set(id, { twin: { $dtId: id, $metadata: meta, ...props }, etag: ++this.seq });
  }

  relate(source: string, name: string, target: string): void {
    this.rels.push({ id: `${source}-${name}-${target}`, source, name, target });
  }

  /** A PUT of an existing relationship id with a new $targetId (Relationship.Update in ADT). */
  repoint(source: string, relationshipId: string, target: string): void {
    const rel = this.rels.find((r) => r.source === source && r.id === relationshipId);
    if (!rel) throw new Error(`no relationship ${source}/${relationshipId}`);
    rel.target = target;
  }

  unrelate(source: string, target: string): void {
    const i = this.rels.findIndex((r) => r.source === source && r.target === target);
    if (i >= 0) this.rels.splice(i, 1);
  }

  /** Direct write as another client would do it (bumps the etag). */
  set(id: string, prop: string, value: unknown, sourceTime?: string): void {
    const entry = this.twins.get(id);
    if (!entry) throw new Error(`no twin ${id}`);
    entry.twin[prop] = value;
    entry.twin.$metadata[prop] = { lastUpdateTime: new Date().toISOString(), ...(sourceTime ? { sourceTime } : {}) };
    entry.etag = ++this.seq;
  }

  async getTwin(id: string): Promise<TwinSnapshot | undefined> {
    const entry = this.twins.get(id);
    return entry ? { twin: structuredClone(entry.twin), etag: `W/"${entry.etag}"` } : undefined;
  }

  async listOutgoing(id: string, name: string): Promise<OutgoingLink[]> {
    return this.rels
      .filter((r) => r.source === id && r.name === name)
      .map((r) => ({ relationshipId: r.id, relationshipName: r.name, targetId: r.target }));
  }

  async listIncoming(id: string): Promise<IncomingLink[]> {
    return this.rels.filter((r) => r.target === id).map((r) => ({ relationshipId: r.id, relationshipName: r.name, sourceId: r.source }));
  }

  async updateTwin(id: string, ops: PatchOp[], options: { ifMatch: string; traceparent?: string }): Promise<PatchOutcome> {
    this.beforePatch?.(id);
    const entry = this.twins.get(id);
    if (!entry) return { kind: 'twinNotFound' };
    if (options.ifMatch !== `W/"${entry.etag}"`) return { kind: 'preconditionFailed' };
    for (const op of ops) {
      const parts = op.path.split('/').slice(1);
      if (parts[0] === '$metadata') {
        const meta = (entry.twin.$metadata[parts[1] as string] ??= {}) as Record<string, unknown>;
        meta[parts[2] as string] = op.value;
      } else if (op.op === 'remove') {
        delete entry.twin[parts[0] as string];
        delete entry.twin.$metadata[parts[0] as string];
      } else {
        entry.twin[parts[0] as string] = op.value;
        entry.twin.$metadata[parts[0] as string] = { lastUpdateTime: new Date().toISOString() };
      }
    }
    entry.etag = ++this.seq;
    this.patches.push({ id, ops, ...(options.traceparent !== undefined && { traceparent: options.traceparent }) });
    return { kind: 'written', etag: `W/"${entry.etag}"` };
  }

  async getModel(id: string): Promise<ModelInfo | undefined> {
    const bases = this.models.get(id);
    return bases ? { id, extends: bases } : undefined;
  }
}
