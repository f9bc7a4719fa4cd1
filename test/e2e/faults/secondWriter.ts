// A second writer racing the propagate function on the same parent twins: it reads a parent and
// writes one of its own properties back unchanged, conditioned on the ETag it read. Every such write
// gives the parent a new ETag, so a recompute that read the parent before it meets 412 on its
// If-Match write and must re-read; the value written is the one already there, so the twins the run
// ends with must be those of a run without the second writer.
import type { FaultRequest } from '../../../local/emulator/faults';
import type { EmulatorHandle } from '../../../local/emulator/server';
import { createEmulatorClient } from '../../../local/emulator/trust';

export interface SecondWriterCounts {
  writes: number;
  /** The second writer's own 412s: the propagate function wrote between its read and its write. */
  lostRaces: number;
}

/** Twins the second writer is writing right now: its own patches are not raced (see raceEveryParentPatch). */
export type InFlight = Set<string>;

export async function raceParents(
  emulator: EmulatorHandle,
  parents: readonly string[],
  durationMs: number,
  counts: SecondWriterCounts,
  own: InFlight = new Set(),
): Promise<void> {
  const { client, httpClient } = createEmulatorClient(emulator, { retryOptions: { maxRetries: 0 } });
  const until = Date.now() + durationMs;
  try {
    for (let i = 0; Date.now() < until; i++) {
      const id = parents[i % parents.length] as string;
      const twin = (await client.getDigitalTwin(id)).body as { $etag: string; name: string };
      own.add(id);
      try {
        await client.updateDigitalTwin(id, [{ op: 'replace', path: '/name', value: twin.name }], { ifMatch: twin.$etag });
        counts.writes++;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 412) counts.lostRaces++;
        // The limits apply to this writer too; it just tries the next parent.
        else if (status !== 429) throw error;
      } finally {
        own.delete(id);
      }
    }
  } finally {
    httpClient.destroy();
  }
}

/**
 * The worst timing a second writer can have: whenever a patch of one of the parents arrives (only
 * the propagate function patches parents, always with If-Match), another write to that parent is
 * committed first, so the patch's ETag is stale and it must get 412. Each parent is raced at most
 * `perParent` times, so the propagate function's bounded 412 retries are not all used up.
 */
export function raceEveryParentPatch(
  emulator: EmulatorHandle,
  parents: readonly string[],
  perParent: number,
  counts: SecondWriterCounts,
  own: InFlight = new Set(),
): () => void {
  const { client, httpClient } = createEmulatorClient(emulator, { retryOptions: { maxRetries: 0 } });
  const raced = new Map<string, number>();
  const original = emulator.faults.beforeRequest.bind(emulator.faults);
  emulator.faults.beforeRequest = async (request: FaultRequest) => {
    const id = request.twinId;
    if (request.op === 'twin.patch' && id !== undefined && parents.includes(id) && !own.has(id) && (raced.get(id) ?? 0) < perParent) {
      raced.set(id, (raced.get(id) ?? 0) + 1);
      own.add(id);
      try {
        const twin = (await client.getDigitalTwin(id)).body as { name: string };
        await client.updateDigitalTwin(id, [{ op: 'replace', path: '/name', value: twin.name }]);
        counts.writes++;
      } finally {
        own.delete(id);
      }
    }
    return original(request);
  };
  return () => {
    emulator.faults.beforeRequest = original;
    httpClient.destroy();
  };
}
