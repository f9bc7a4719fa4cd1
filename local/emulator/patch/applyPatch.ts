// Applying a JSON Patch to a twin or relationship exactly as ADT does. Pure: works on a copy, so a
// failing operation leaves the original untouched (the whole patch is atomic).
import { isIsoDateTime } from '../clock';
import { errors } from '../errors';
import { buildComponent, isComponentValue, isJsonObject, type JsonObject, orderTwin, refreshEntries } from '../metadata';
import type { PatchOperation, RelationshipDoc, TwinDoc } from '../types';
import { applyAtPointer, parsePointer } from './pointer';

interface SourceTimeOp {
  component?: string;
  prop: string;
  value?: string;
}

interface Touched {
  root: Set<string>;
  components: Map<string, Set<string>>;
  replacedComponents: Set<string>;
  sourceTimes: SourceTimeOp[];
}

const readOnly = (path: string) =>
  errors.patchInvalid(
    `The path ${path} is read-only; only properties, /$metadata/$model and .../$metadata/<property>/sourceTime can be patched.`,
  );

/** Returns the patched twin (same `$etag`; the caller assigns a new one). */
export function applyTwinPatch(current: TwinDoc, ops: PatchOperation[], now: string): TwinDoc {
  const twin = structuredClone(current);
  const touched: Touched = { root: new Set(), components: new Map(), replacedComponents: new Set(), sourceTimes: [] };
  for (const op of ops) applyTwinOperation(twin, op, touched);

  refreshEntries(twin, twin.$metadata as JsonObject, touched.root, now);
  for (const name of touched.replacedComponents) {
    const value = twin[name];
    if (isJsonObject(value)) twin[name] = buildComponent(value, now, name);
  }
  for (const [name, props] of touched.components) {
    const component = twin[name];
    if (!isComponentValue(component)) continue;
    const meta = component['$metadata'] as JsonObject;
    refreshEntries(component, meta, props, now);
    meta['$lastUpdateTime'] = now;
  }
  for (const st of touched.sourceTimes) applySourceTime(twin, st, now);
  twin.$metadata.$lastUpdateTime = now;
  return orderTwin(twin);
}

function applyTwinOperation(twin: TwinDoc, op: PatchOperation, touched: Touched): void {
  const tokens = parsePointer(op.path);
  const [first, second] = tokens;
  if (first === undefined || first === '') throw errors.patchInvalid(`The path '${op.path}' does not name a property.`);
  if (first === '$metadata') return applyMetadataOperation(twin, tokens.slice(1), op, undefined, touched);
  if (first.startsWith('$')) throw readOnly(op.path);
  const wasComponent = isComponentValue(twin[first]);
  if (wasComponent && second === '$metadata') return applyMetadataOperation(twin, tokens.slice(2), op, first, touched);

  applyAtPointer(twin, tokens, op);

  if (second === undefined) {
    // Whole property or whole component written or removed.
    if (wasComponent || isComponentValue(twin[first])) {
      touched.replacedComponents.add(first);
      delete (twin.$metadata as JsonObject)[first];
    } else touched.root.add(first);
  } else if (wasComponent) {
    const props = touched.components.get(first) ?? new Set<string>();
    props.add(second);
    touched.components.set(first, props);
  } else touched.root.add(first);
}

function applyMetadataOperation(twin: TwinDoc, rest: string[], op: PatchOperation, component: string | undefined, touched: Touched): void {
  if (component === undefined && rest.length === 1 && rest[0] === '$model') {
    if (op.op === 'remove' || typeof op.value !== 'string' || op.value === '') {
      throw errors.patchInvalid(`/$metadata/$model can only be replaced with a model id (got ${op.op} ${JSON.stringify(op.value)}).`);
    }
    twin.$metadata.$model = op.value;
    return;
  }
  const [prop, field] = rest;
  if (rest.length !== 2 || prop === undefined || prop.startsWith('$') || field !== 'sourceTime') throw readOnly(op.path);
  if (op.op === 'remove') {
    touched.sourceTimes.push({ ...(component ? { component } : {}), prop });
    return;
  }
  if (!isIsoDateTime(op.value)) {
    throw errors.patchInvalid(
      `The value for ${op.path} must be an ISO 8601 date-time such as 2021-11-30T18:47:53.7648958Z (got ${JSON.stringify(op.value)}).`,
    );
  }
  touched.sourceTimes.push({ ...(component ? { component } : {}), prop, value: op.value });
}

function applySourceTime(twin: TwinDoc, st: SourceTimeOp, now: string): void {
  const owner = st.component === undefined ? twin : twin[st.component];
  if (!isComponentValue(owner) && st.component !== undefined) throw errors.patchPathNotFound(st.component);
  const ownerObject = owner as JsonObject;
  const meta = (st.component === undefined ? twin.$metadata : ownerObject['$metadata']) as JsonObject;
  if (!Object.hasOwn(ownerObject, st.prop)) throw errors.patchPathNotFound(st.prop);
  const entry = isJsonObject(meta[st.prop]) ? (meta[st.prop] as JsonObject) : { lastUpdateTime: now };
  if (st.value === undefined) {
    if (entry['sourceTime'] === undefined) throw errors.patchPathNotFound('sourceTime');
    delete entry['sourceTime'];
  } else entry['sourceTime'] = st.value;
  meta[st.prop] = entry;
}

/** Relationship properties are top-level; `$`-keys (ids, name, target, etag) are read-only. */
export function applyRelationshipPatch(current: RelationshipDoc, ops: PatchOperation[]): RelationshipDoc {
  const relationship = structuredClone(current);
  for (const op of ops) {
    const tokens = parsePointer(op.path);
    const first = tokens[0];
    if (first === undefined || first === '') throw errors.patchInvalid(`The path '${op.path}' does not name a property.`);
    if (first.startsWith('$')) throw errors.patchInvalid(`The path ${op.path} is read-only; only relationship properties can be patched.`);
    applyAtPointer(relationship, tokens, op);
  }
  return relationship;
}
