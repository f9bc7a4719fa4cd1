// The preview of stateful transforms (integrate, rate, ema, delta, counter): a stateful target's
// readings folded over the twin as the preview holds it (the scenario's twin, or the stored document
// given with --twin), exactly as the writer folds them (shared/ingest statefulWrites), so the patch
// shows the total and its input, and a skipped reading shows with its reason.

import type { Twin } from '../../shared/adt';
import { type PropertyUpdate, statefulWrites } from '../../shared/ingest';

export interface SkippedReading {
  path: string;
  sourceTime: string;
  reason: string;
}

/** Splits a twin's updates into plain ones and the writes stateful ones fold to against `twin`. */
export function foldForPreview(
  updates: readonly PropertyUpdate[],
  twin: Twin | undefined,
): { plain: PropertyUpdate[]; folded: PropertyUpdate[]; skipped: SkippedReading[] } {
  const plain: PropertyUpdate[] = [];
  const folded: PropertyUpdate[] = [];
  const skipped: SkippedReading[] = [];
  for (const update of updates) {
    const step = update.stateful;
    if (step === undefined) {
      plain.push(update);
      continue;
    }
    const outcome = statefulWrites({ ...update, stateful: step }, twin);
    folded.push(...outcome.writes);
    for (const { eventKey, reason } of outcome.skipped) {
      const reading = step.readings.find((r) => r.eventKey === eventKey);
      skipped.push({ path: update.property, sourceTime: reading?.sourceTime ?? '', reason });
    }
  }
  return { plain, folded, skipped };
}

/** A stored twin document (--twin): an object with a $dtId and $metadata.$model; its $metadata sourceTimes are the state. */
export function storedTwinDocument(value: unknown, source: string): Twin {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value) || typeof value.$dtId !== 'string' || !isObject(value.$metadata) || typeof value.$metadata.$model !== 'string')
    throw new Error(`${source}: --twin needs a twin document with "$dtId" and "$metadata": { "$model": … } (as ADT returns it).`);
  return structuredClone(value) as unknown as Twin;
}
