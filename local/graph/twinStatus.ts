// What a twin's node says about its state beyond its values: the device's connection (IoT Hub's
// connection state events, ingest.connectionState), the conditions raised on it (rollups.conditions),
// whether it has gone stale (rollups.staleness) and whether a lifecycle delete decommissioned it
// (ingest.lifecycle onDelete: decommission). Read from the twin document alone, with the rules of
// the scenario's pipeline file, so the live page, the export and the tests decide it the same way.
// Each state is given as a class (the node's border, outline or halo) and a text badge (so no state
// is told by colour alone).

/** One condition as the page needs it (from `rollups.conditions`). */
export interface ConditionMark {
  name: string;
  model: string;
  property: string;
  raised: boolean | string;
  cleared: boolean | string;
  since?: string;
  pending?: string;
}

/** One `rollups.staleness` entry. */
export interface StalenessMark {
  model: string;
  property: string;
  maxAgeSeconds: number;
}

export interface StatusRules {
  /** ingest.connectionState: the string property ("Connected"/"Disconnected"), the boolean, the change time. */
  connection: { property: string; connectedProperty?: string; lastChangeProperty?: string };
  conditions: ConditionMark[];
  staleness: StalenessMark[];
  /** ingest.lifecycle onDelete: decommission — the patch a retired device's twin gets. */
  decommission?: Record<string, unknown>;
  /** model → the models it extends (transitively), so a rule on a base model applies to its twins. */
  ancestors?: Record<string, string[]>;
}

export type ConditionState = 'raised' | 'cleared' | 'raising' | 'clearing';

export interface TwinStatus {
  /** undefined `connected`: the property holds a word other than IoT Hub's two. */
  connection?: { connected: boolean | undefined; text: string; since?: string };
  conditions?: Array<{ name: string; state: ConditionState; value: unknown; since?: string; pendingSince?: string }>;
  stale?: { property: string; maxAgeSeconds: number };
  decommissioned?: boolean;
  /** The node's classes, in this order: connection, condition, stale, decommissioned. */
  classes: string[];
  /** Short text for the node's label, one per state. */
  badges: string[];
}

/** The rules the page uses without a pipeline file: IoT Hub's zero-configuration connectionState, nothing else. */
export const defaultStatusRules: StatusRules = { connection: { property: 'connectionState' }, conditions: [], staleness: [] };

const own = (doc: Record<string, unknown>, name: string): unknown =>
  Object.prototype.hasOwnProperty.call(doc, name) ? doc[name] : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function modelIs(model: string, ruleModel: string, rules: StatusRules): boolean {
  return model === ruleModel || (rules.ancestors?.[model] ?? []).includes(ruleModel);
}

function connectionOf(twin: Record<string, unknown>, rules: StatusRules): TwinStatus['connection'] {
  const { property, connectedProperty, lastChangeProperty } = rules.connection;
  const word = own(twin, property);
  const flag = connectedProperty === undefined ? undefined : own(twin, connectedProperty);
  let connection: TwinStatus['connection'];
  if (typeof word === 'string') {
    const lower = word.toLowerCase();
    connection = { connected: lower === 'connected' ? true : lower === 'disconnected' ? false : undefined, text: word };
  } else if (typeof flag === 'boolean') {
    connection = { connected: flag, text: flag ? 'Connected' : 'Disconnected' };
  } else return undefined;
  const since = lastChangeProperty === undefined ? undefined : text(own(twin, lastChangeProperty));
  return since === undefined ? connection : { ...connection, since };
}

function conditionsOf(twin: Record<string, unknown>, model: string, rules: StatusRules): TwinStatus['conditions'] {
  const states: NonNullable<TwinStatus['conditions']> = [];
  for (const rule of rules.conditions) {
    if (!modelIs(model, rule.model, rules)) continue;
    const value = own(twin, rule.property);
    const pendingSince = rule.pending === undefined ? undefined : text(own(twin, rule.pending));
    const raised = value === rule.raised;
    // A twin not yet evaluated (no state) shows nothing, unless a duration is already running.
    if (!raised && value !== rule.cleared && pendingSince === undefined) continue;
    const state: ConditionState = raised ? (pendingSince ? 'clearing' : 'raised') : pendingSince ? 'raising' : 'cleared';
    const since = rule.since === undefined ? undefined : text(own(twin, rule.since));
    states.push({ name: rule.name, state, value, ...(since && { since }), ...(pendingSince && { pendingSince }) });
  }
  return states.length > 0 ? states : undefined;
}

function isDecommissioned(twin: Record<string, unknown>, patch: Record<string, unknown> | undefined): boolean {
  if (patch === undefined) return false;
  const entries = Object.entries(patch);
  return entries.length > 0 && entries.every(([name, value]) => JSON.stringify(own(twin, name)) === JSON.stringify(value));
}

function badgeOf(name: string, state: ConditionState, value: unknown): string {
  const shown = typeof value === 'string' ? `${name}: ${value}` : name;
  if (state === 'raised') return `▲ ${shown}`;
  if (state === 'clearing') return `▲ ${shown} (clearing)`;
  if (state === 'raising') return `△ ${name} (pending)`;
  return '';
}

/** The twin's states and how its node shows them; undefined when it has none. */
export function twinStatus(twin: Record<string, unknown>, rules: StatusRules): TwinStatus | undefined {
  const metadata = own(twin, '$metadata');
  const model = text(metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, unknown>).$model : undefined) ?? '?';
  const status: TwinStatus = { classes: [], badges: [] };
  const connection = connectionOf(twin, rules);
  if (connection) {
    status.connection = connection;
    status.classes.push(
      connection.connected === true ? 'connected' : connection.connected === false ? 'disconnected' : 'connection-unknown',
    );
    status.badges.push(`${connection.connected === true ? '●' : connection.connected === false ? '○' : '?'} ${connection.text}`);
  }
  const conditions = conditionsOf(twin, model, rules);
  if (conditions) {
    status.conditions = conditions;
    if (conditions.some((c) => c.state === 'raised' || c.state === 'clearing')) status.classes.push('condition-raised');
    else if (conditions.some((c) => c.state === 'raising')) status.classes.push('condition-pending');
    for (const c of conditions) {
      const badge = badgeOf(c.name, c.state, c.value);
      if (badge) status.badges.push(badge);
    }
  }
  const stale = rules.staleness.find((rule) => modelIs(model, rule.model, rules) && own(twin, rule.property) === true);
  if (stale) {
    status.stale = { property: stale.property, maxAgeSeconds: stale.maxAgeSeconds };
    status.classes.push('stale');
    status.badges.push('◌ stale');
  }
  if (isDecommissioned(twin, rules.decommission)) {
    status.decommissioned = true;
    status.classes.push('decommissioned');
    status.badges.push('✕ decommissioned');
  }
  return status.connection || status.conditions || status.stale || status.decommissioned ? status : undefined;
}
