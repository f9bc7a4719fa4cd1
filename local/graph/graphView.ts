// The twin graph as the page and the text exports show it: twins with their properties, each value's
// $metadata times and, for derived values, the rule that computes it; relationships by name; one
// colour per model. Built from twins and relationships as the data plane returns them.
import { type Derivation, type Derivations, shortModel } from './derivations';
import { modelColours } from './palette';
import { type StatusRules, type TwinStatus, twinStatus } from './twinStatus';

export interface PropertyView {
  name: string;
  value: unknown;
  sourceTime?: string;
  lastUpdateTime?: string;
  /** Present when a roll-up rule computes this property for the twin's model. */
  derived?: Derivation;
}

export interface TwinView {
  id: string;
  model: string;
  modelName: string;
  colour: string;
  /** The twin's last change ($metadata.$lastUpdateTime). */
  lastUpdateTime?: string;
  properties: PropertyView[];
  /** Connection, conditions, staleness (twinStatus.ts); absent when the twin has none. */
  status?: TwinStatus;
}

export interface RelationshipView {
  id: string;
  source: string;
  target: string;
  name: string;
}

export interface GraphView {
  twins: TwinView[];
  relationships: RelationshipView[];
  models: Array<{ id: string; name: string; colour: string }>;
}

/** A twin or relationship document as GET or a query returns it. */
export type WireDocument = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function twinView(
  twin: WireDocument,
  derivations: Derivations,
  colours: Record<string, string>,
  statusRules?: StatusRules,
): TwinView {
  const metadata = (twin.$metadata ?? {}) as Record<string, unknown>;
  const model = text(metadata.$model) ?? '?';
  const derivedHere = derivations[model] ?? {};
  const properties = Object.keys(twin)
    .filter((name) => !name.startsWith('$'))
    .sort()
    .map((name): PropertyView => {
      const meta = (metadata[name] ?? {}) as Record<string, unknown>;
      const sourceTime = text(meta.sourceTime);
      const lastUpdateTime = text(meta.lastUpdateTime);
      const derived = derivedHere[name];
      return {
        name,
        value: twin[name],
        ...(sourceTime && { sourceTime }),
        ...(lastUpdateTime && { lastUpdateTime }),
        ...(derived && { derived }),
      };
    });
  const lastUpdateTime = text(metadata.$lastUpdateTime);
  const status = statusRules ? twinStatus(twin, statusRules) : undefined;
  return {
    id: String(twin.$dtId),
    model,
    modelName: shortModel(model),
    colour: colours[model] ?? '#999999',
    ...(lastUpdateTime && { lastUpdateTime }),
    properties,
    ...(status && { status }),
  };
}

export function relationshipView(relationship: WireDocument): RelationshipView {
  return {
    id: `${String(relationship.$sourceId)}/${String(relationship.$relationshipId)}`,
    source: String(relationship.$sourceId),
    target: String(relationship.$targetId),
    name: String(relationship.$relationshipName),
  };
}

/**
 * `knownModels`: every model the scenario defines, so a model's colour does not change when a twin
 * of a new model appears during a live run.
 */
export function buildGraphView(
  twins: readonly WireDocument[],
  relationships: readonly WireDocument[],
  derivations: Derivations,
  knownModels: readonly string[] = [],
  statusRules?: StatusRules,
): GraphView {
  const present = twins.map((t) => text((t.$metadata as Record<string, unknown> | undefined)?.$model) ?? '?');
  const colours = modelColours([...knownModels, ...present]);
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const used = new Set(present);
  return {
    twins: twins.map((t) => twinView(t, derivations, colours, statusRules)).sort(byId),
    relationships: relationships.map(relationshipView).sort(byId),
    models: Object.entries(colours)
      .filter(([id]) => used.has(id))
      .map(([id, colour]) => ({ id, name: shortModel(id), colour })),
  };
}

/** A value as the graph's labels show it: numbers to two decimals, strings as they are. */
export function showValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
