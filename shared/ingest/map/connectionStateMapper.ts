// Connection state events (deviceConnected / deviceDisconnected) → the twin's connection properties.
// Zero configuration: a twin whose model declares a string Property `connectionState` gets IoT Hub's
// own words, "Connected" / "Disconnected"; ingest.connectionState names other properties, a boolean
// and a last-change time.
//
// Order (reference §1.3): IoT Hub's `sequenceNumber`, hexadecimal text, strictly increasing, compared
// as text. It is normalised (upper case, left-padded with zeros to 64 digits) so any length and case
// compare; it decides which event wins in a batch (coalescing), and against the twin: when the model
// declares the companion string Property `connectionStateSequence` (ingest.connectionState.
// sequenceProperty), the last applied sequence number is written there in the same conditional PATCH
// and an event whose number is not higher is skipped as stale — across instances (ETag If-Match) and
// redeliveries alike. A model without the companion is guarded by the property's sourceTime, the
// event's operationTimestamp (IoT Hub's time of the change).

import type { CompiledIngest, NamedProperty, TwinIdStrategy } from '../config';
import { normalizeTimestamp } from '../decode';
import { type EventOrder, isJsonObject, lookupProperty } from '../message';
import { claimKinds, eventOperation } from './eventOperation';
import type { Lookups, PreparedMessage } from './lookups';
import type { Mapper, MappingResult } from './mappingResult';
import { isRefusal, targetFit, type TwinInterface } from './modelFit';
import { ResultBuilder } from './resultBuilder';
import { addValue } from './valueUpdates';

export const CONNECTION_RULE = '(connection state)';

/** Longest sequence number (256 bits as hex digits); shorter ones are left-padded to it. */
const sequenceDigits = 64;

/** The sequence number as comparable text, or undefined when it is not hexadecimal text of at most 256 bits. */
export function normalizeSequence(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const digits = value.trim().replace(/^0x/i, '');
  if (!/^[0-9A-Fa-f]+$/.test(digits)) return undefined;
  const significant = digits.replace(/^0+(?=.)/, '');
  if (significant.length > sequenceDigits) return undefined;
  return significant.toUpperCase().padStart(sequenceDigits, '0');
}

/** The routed body's `sequenceNumber`, or the Event Grid data's `deviceConnectionStateEventInfo.sequenceNumber`. */
function sequenceOf(body: Record<string, unknown>): unknown {
  if (body.sequenceNumber !== undefined) return body.sequenceNumber;
  const info = body.deviceConnectionStateEventInfo;
  return isJsonObject(info) ? info.sequenceNumber : undefined;
}

const states: Readonly<Record<string, { text: string; connected: boolean }>> = {
  deviceconnected: { text: 'Connected', connected: true },
  devicedisconnected: { text: 'Disconnected', connected: false },
};

export class ConnectionStateMapper implements Mapper {
  readonly claims: (prepared: PreparedMessage) => readonly TwinIdStrategy[] | undefined;

  constructor(private readonly ingest: CompiledIngest) {
    this.claims = claimKinds(ingest, new Set(['deviceConnectionStateEvents']));
  }

  map(prepared: PreparedMessage, lookups: Lookups): MappingResult {
    const result = new ResultBuilder(prepared, this.ingest, lookups);
    const state = eventOperation(
      result,
      this.ingest,
      states,
      'a connection state event needs opType deviceConnected or deviceDisconnected',
    );
    if (state === undefined) return result.finish();
    const message = result.message;
    const raw = sequenceOf(message.body);
    const key = normalizeSequence(raw);
    if (key === undefined) {
      result.reject({
        reason: 'invalid-sequence-number',
        detail: `sequenceNumber ${JSON.stringify(raw) ?? 'is missing'}: expected hexadecimal text of at most 64 digits`,
        value: raw,
      });
      return result.finish();
    }
    const twins = result.targets(this.ingest.twinId, 'ingest.twinId');
    if (!twins) return result.finish();
    const changedAt = normalizeTimestamp(lookupProperty(message.properties, 'operationTimestamp')) ?? message.enqueuedTime;
    for (const twin of twins) this.mapTwin(result, twin.twinId, result.interfaceOf(twin), state, key, changedAt);
    return result.finish();
  }

  private mapTwin(
    result: ResultBuilder,
    twinId: string,
    twin: TwinInterface,
    state: { text: string; connected: boolean },
    key: string,
    changedAt: string,
  ): void {
    const policy = this.ingest.connectionState;
    const values: Array<[string, unknown]> = [];
    const fits = new Map<string, ReturnType<typeof targetFit>>();
    const want = (named: NamedProperty, value: unknown): boolean => {
      const fit = targetFit(twin, twinId, result.lookups.sources.models, undefined, named.name);
      // A default is written only where the model declares it as a string; a configured name must fit.
      if (
        !named.configured &&
        (isRefusal(fit) || fit.schema === undefined || fit.schema.kind !== 'primitive' || fit.schema.name !== 'string')
      )
        return false;
      fits.set(named.name, fit);
      values.push([named.name, value]);
      return true;
    };
    want(policy.property, state.text);
    if (policy.connectedProperty !== undefined) want({ name: policy.connectedProperty, configured: true }, state.connected);
    if (policy.lastChangeProperty !== undefined) want({ name: policy.lastChangeProperty, configured: true }, changedAt);
    if (values.length === 0) {
      result.filter({
        reason: 'connection-state-unmodeled',
        detail: `model ${twin.modelId ?? '(unknown)'} of twin ${twinId} declares no string Property ${policy.property.name}; declare it or set ingest.connectionState`,
        twinId,
      });
      return;
    }
    const order: EventOrder = { key };
    if (want(policy.sequenceProperty, key)) order.stored = { property: policy.sequenceProperty.name };
    for (const [property, value] of values) {
      const fit = fits.get(property);
      if (fit !== undefined && isRefusal(fit)) {
        result.reject({ ...fit, where: 'ingest.connectionState' });
        continue;
      }
      const before = result.updateCount();
      addValue(result, {
        twinId,
        component: undefined,
        property,
        value,
        sourceTime: changedAt,
        rule: CONNECTION_RULE,
        where: 'ingest.connectionState',
        schema: fit?.schema,
      });
      result.orderSince(before, order);
    }
  }
}
