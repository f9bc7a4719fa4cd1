#!/usr/bin/env node
// `npm run simulate`: telemetry for a scenario's devices, to a file, the local runner or an Event Hub.
import { Presets, SingleBar } from 'cli-progress';

import { commandLine, onInterrupt } from '../cli';
import { defaultScenarioDirectory, loadScenario } from '../scenario';
import { scenarioSimulatorConfig } from './deviceProfiles';
import { simulatedDevices } from './generate';
import { simulate } from './simulate';
import { HELP, parseSimulateArgs, type SimulateTarget, startTime } from './simulateArgs';
import { eventHubSink, fileSink, httpSink, type TelemetrySink } from './sinks';

function sinkFor(target: SimulateTarget): TelemetrySink {
  if (target.kind === 'file') return fileSink(target.path);
  if (target.kind === 'runner') return httpSink(target.url);
  return eventHubSink(target);
}

async function main(): Promise<number> {
  const options = commandLine(parseSimulateArgs, HELP);
  if (typeof options === 'number') return options;
  if (!options.target) {
    process.stderr.write(`Choose where the telemetry goes: --out <file>, --to <runner url> or an Event Hub.\n\n${HELP}\n`);
    return 2;
  }
  const scenario = loadScenario(options.scenario ?? defaultScenarioDirectory);
  const profiles = scenarioSimulatorConfig(scenario);
  const devices = simulatedDevices(scenario.graph.twins, profiles);
  const sink = sinkFor(options.target);
  const bar = new SingleBar(
    { format: 'Simulating |{bar}| {value}/{total} messages | {eta_formatted} left', hideCursor: true, stream: process.stderr },
    Presets.shades_classic,
  );
  const abort = new AbortController();
  onInterrupt(() => abort.abort());
  bar.start(options.count, 0);
  let sent = 0;
  try {
    sent = await simulate({
      devices,
      config: profiles,
      rate: options.rate,
      count: options.count,
      seed: options.seed,
      start: startTime(options),
      sink,
      onProgress: (n) => bar.update(n),
      signal: abort.signal,
    });
  } finally {
    bar.stop();
    await sink.close();
  }
  process.stderr.write(`${sent} message(s) from ${devices.length} device(s) → ${sink.description}\n`);
  return 0;
}

// Exit once output is flushed: SDK clients (Event Hubs, identity) may leave timers behind.
function exit(code: number): void {
  process.stderr.write('', () => process.exit(code));
}

main().then(exit, (error: unknown) => {
  process.stderr.write(`npm run simulate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  exit(1);
});
