// Drives a sink with generated telemetry: instantly for a file, paced at --rate for live targets.
import type { TelemetryEnvelope } from '../../shared/ingest';
import type { SimulatorConfig } from './deviceProfiles';
import { generateTelemetry, type SimulatedDevice } from './generate';
import type { TelemetrySink } from './sinks';

export interface SimulateRun {
  devices: SimulatedDevice[];
  config: SimulatorConfig;
  rate: number;
  count: number;
  seed: number;
  start: Date;
  sink: TelemetrySink;
  onProgress?: (sent: number) => void;
  signal?: AbortSignal;
}

const fileChunk = 500;
const liveTickMs = 200;

export async function simulate(run: SimulateRun): Promise<number> {
  const messages = generateTelemetry({
    devices: run.devices,
    config: run.config,
    rate: run.rate,
    count: run.count,
    start: run.start,
    seed: run.seed,
  });
  let sent = 0;
  let pending: TelemetryEnvelope[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const group = pending;
    pending = [];
    await run.sink.send(group);
    sent += group.length;
    run.onProgress?.(sent);
  };
  for (const envelope of messages) {
    if (run.signal?.aborted) break;
    if (run.sink.live) {
      // Send each message when its enqueued time comes, grouped per tick.
      const due = Date.parse(envelope.enqueuedTime);
      if (due - Date.now() > liveTickMs / 2) {
        await flush();
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      }
    }
    pending.push(envelope);
    if (pending.length >= fileChunk) await flush();
  }
  await flush();
  return sent;
}
