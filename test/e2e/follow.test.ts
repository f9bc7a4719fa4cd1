// --follow: the loop stays up and takes live envelopes on its loopback port (what
// `npm run simulate -- --to …` sends), until it is stopped.
import { request } from 'node:http';

import { loadScenario } from '../../local/scenario';
import { scenarioSimulatorConfig } from '../../local/simulator/deviceProfiles';
import { generateTelemetry, simulatedDevices } from '../../local/simulator/generate';
import { httpSink } from '../../local/simulator/sinks';
import { buildingScenario, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

function status(url: string): Promise<{ stats: { messagesIn: number }; pending: number }> {
  return new Promise((resolve, reject) => {
    request(`${url}/status`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stats: { messagesIn: number }; pending: number }),
      );
    })
      .on('error', reject)
      .end();
  });
}

it('accepts live envelopes until stopped, then reports them with the rest', async () => {
  const scenario = loadScenario(buildingScenario);
  const devices = simulatedDevices(scenario.graph.twins, scenarioSimulatorConfig(scenario));
  const live = [
    ...generateTelemetry({
      devices,
      config: scenarioSimulatorConfig(scenario),
      rate: 10,
      count: 30,
      start: new Date('2024-05-01T09:00:00Z'),
      seed: 7,
    }),
  ];
  const abort = new AbortController();
  let ingressReady!: (url: string) => void;
  const ready = new Promise<string>((resolve) => (ingressReady = resolve));
  const finished = runLocal({
    follow: true,
    ingressPort: 0,
    signal: abort.signal,
    deadLetterDirectory: tempDir('follow-dl'),
    onIngress: ingressReady,
  });

  const ingressUrl = await ready;
  const sink = httpSink(ingressUrl);
  await sink.send(live);
  // Wait (by condition, not by time) until the function app has taken all 330 messages.
  for (let s = await status(ingressUrl); s.stats.messagesIn < 330; s = await status(ingressUrl))
    await new Promise((r) => setTimeout(r, 50));
  abort.abort();
  const result = await finished;
  expect(result.summary.stats.messagesIn).toBe(330);
  expect(result.summary.stats.applied).toBe(330);
  expect(result.summary.exitCode).toBe(0);
}, 120_000);
