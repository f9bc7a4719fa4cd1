// A second writer racing the propagate function on the same parent twins: it reads a parent and
// writes one of its own properties back unchanged, conditioned on the ETag it read. Every such write
// gives the parent a new ETag, so a recompute that read the parent before it meets 412 on its
// If-Match write and must re-read; the value written is the one already there, so the twins the run
// ends with must be those of a run without the second writer.
import type { EmulatorHandle } from '../../../local/emulator/server';
import { createEmulatorClient } from '../../../local/emulator/trust';

export interface SecondWriterCounts {
  writes: number;
  /** The second writer's own 412s: the propagate function wrote between its read and its write. */
  lostRaces: number;
}

export async function raceParents(emulator: EmulatorHandle, parents: readonly string[], durationMs: number, counts: SecondWriterCounts): Promise<void> {
  const { client, httpClient } = createEmulatorClient(emulator, { retryOptions: { maxRetries: 0 } });
  const until = Date.now() + durationMs;
  try {
    for (let i = 0; Date.now() < until; i++) {
      const id = parents[i % parents.length] as string;
      const twin = (await client.getDigitalTwin(id)).body as { $etag: string; name: string };
      try {
        await client.updateDigitalTwin(id, [{ op: 'replace', path: '/name', value: twin.name }], { ifMatch: twin.$etag });
        counts.writes++;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 412) counts.lostRaces++;
        // The limits apply to this writer too; it just tries the next parent.
        else if (status !== 429) throw error;
      }
    }
  } finally {
    httpClient.destroy();
  }
}
