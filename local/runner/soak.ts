// `npm run local -- --soak <minutes>`: the simulator drives the loop live at a fixed rate for that
// long, and once a report interval (a minute by default) one line shows heap, RSS, event-loop lag
// and the queue sizes, so a user can watch that nothing grows without bound under a steady load
// (and under whatever faults the run was given).
import type { TelemetryEnvelope } from '../../shared/ingest';
import type { Scenario } from '../scenario';
import { scenarioSimulatorConfig } from '../simulator/deviceProfiles';
import { simulatedDevices } from '../simulator/generate';
import { simulate } from '../simulator/simulate';
import { mib, type ResourceSample } from './resourceMonitor';

export interface SoakOptions {
  minutes: number;
  /** Messages per second across the fleet (default 10). */
  rate?: number;
  seed?: number;
  /** Default 60,000 (once a minute). */
  reportEveryMs?: number;
}

export interface SoakQueues {
  /** Events waiting on the Event Hub partitions. */
  eventHub: number;
  /** Notifications waiting for the propagate function. */
  notifications: number;
  fed: number;
  applied: number;
  deadLettered: number;
}

export interface SoakDriver {
  scenario: Scenario;
  enqueue(envelopes: TelemetryEnvelope[]): void;
  sample(): ResourceSample;
  queues(): SoakQueues;
  report(line: string): void;
  signal?: AbortSignal;
}

export function soakLine(elapsedMs: number, totalMs: number, sample: ResourceSample, queues: SoakQueues): string {
  const minutes = (ms: number): string => (ms / 60_000).toFixed(1);
  return [
    `soak ${minutes(elapsedMs)}/${minutes(totalMs)} min`,
    `fed ${queues.fed} applied ${queues.applied} dead-lettered ${queues.deadLettered}`,
    `heap ${mib(sample.heapUsedBytes)}`,
    `RSS ${mib(sample.rssBytes)}`,
    `lag p99 ${sample.lagP99Ms} ms max ${sample.lagMaxMs} ms`,
    `queued events ${queues.eventHub}`,
    `pending notifications ${queues.notifications}`,
  ].join(' | ');
}

/** Feeds live telemetry for the soak's duration (or until aborted); reports on the interval and once at the end. */
export async function runSoak(options: SoakOptions, driver: SoakDriver): Promise<number> {
  // Throws, naming the file to add, when the scenario has no device profiles.
  const profiles = scenarioSimulatorConfig(driver.scenario);
  const rate = options.rate ?? 10;
  const totalMs = options.minutes * 60_000;
  const every = options.reportEveryMs ?? 60_000;
  const started = Date.now();
  const line = (): string => soakLine(Date.now() - started, totalMs, driver.sample(), driver.queues());
  const timer = setInterval(() => driver.report(line()), every);
  try {
    return await simulate({
      devices: simulatedDevices(driver.scenario.graph.twins, profiles),
      config: profiles,
      rate,
      count: Math.max(1, Math.round((totalMs / 1000) * rate)),
      seed: options.seed ?? 1,
      start: new Date(),
      sink: {
        description: 'the local loop',
        live: true,
        send: async (envelopes) => driver.enqueue(envelopes),
        close: async () => undefined,
      },
      ...(driver.signal ? { signal: driver.signal } : {}),
    });
  } finally {
    clearInterval(timer);
    driver.report(line());
  }
}
