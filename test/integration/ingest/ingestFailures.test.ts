// The ingest function when ADT or storage misbehave: throttling and 5xx are ridden out, a failure that
// outlasts the deadline fails the invocation (the host redelivers), redelivery is idempotent, and a
// dead letter that cannot be stored fails the invocation. Also: the deployed wiring (app settings,
// PIPELINE_CONFIG_PATH) and fail-fast on a broken configuration.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { stubCredential } from '../../../local/emulator/trust';
import { setAdtClientDefaults } from '../../../shared/adt/sdkClient';
import type { PipelineConfigFile } from '../../../shared/config/types';
import { settings } from '../../../shared/settings';
import { resetWorker } from '../../../shared/worker';
import {
  createRoom,
  events,
  type IngestApp,
  ingestApp,
  type IngestWorld,
  message,
  roomModel,
  sourceTime,
  startWorld,
  twin,
} from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

const pipeline: PipelineConfigFile = { ingest: { options: { sourceTime: 'ts' } } };
// Device times just before IoT Hub's enqueued time (2024-06-01T12:00:00Z in the harness), as a correct clock gives.
const at = (second: number): string => `2024-06-01T11:59:${String(second).padStart(2, '0')}.000Z`;

let world: IngestWorld;
let app: IngestApp;

beforeAll(async () => {
  world = await startWorld();
  for (const id of ['hot-1', 'hot-2', 'flaky-1', 'down-1', 'calm-1', 'env-1']) await createRoom(world, id);
  app = await ingestApp(world, pipeline, { deadlineSeconds: 2 });
});

afterAll(async () => {
  await world?.close();
});

beforeEach(() => {
  world.emulator.faults.reset();
  world.emulator.resetCounters();
  world.notifications.length = 0;
});

it('rides out 429s and 5xx with its own retries: every value lands and the retries are counted', async () => {
  world.emulator.faults.update({
    failTwins: {
      'hot-1': { status: 429, count: 2, ops: ['twin.patch'] },
      'flaky-1': { status: 500, count: 2, ops: ['twin.patch'] },
    },
  });
  const summary = await app.invoke(
    events(10, [
      message('hot-1', { temperature: 30.5, ts: at(1) }),
      message('flaky-1', { temperature: 12.25, ts: at(2) }),
      message('hot-2', { temperature: 31, ts: at(3) }),
    ]),
  );
  expect(await Promise.all(['hot-1', 'flaky-1', 'hot-2'].map(async (id) => (await twin(world, id)).temperature))).toEqual([
    30.5, 12.25, 31,
  ]);
  expect(summary).toMatchObject({ received: 3, applied: 3, retries: 4, throttled429: 2, patches: 3 });
  expect(world.emulator.counters().operations['twin.patch']).toMatchObject({ requests: 7, successes: 3, throttled: 2, errors: 2 });
});

it('waits out real per-twin throttling (429 with Retry-After) when the service limit is lower than our budget', async () => {
  // One write per second on a twin: creating it and then patching it in one batch needs a second write.
  world.emulator.limits.update({ perTwinWritesPerSecond: 1 });
  try {
    const creating = await ingestApp(world, {
      ingest: { ...pipeline.ingest, unknownTwin: { action: 'create', modelId: roomModel['@id'] } },
    });
    const summary = await creating.invoke(events(20, [message('throttled-new', { humidity: 55, ts: at(5) })]));
    const created = await twin(world, 'throttled-new');
    expect([created.humidity, sourceTime(created, 'humidity')]).toEqual([55, at(5)]);
    expect(summary).toMatchObject({ applied: 1, twinsCreated: 1, throttled429: 1, retries: 1 });
  } finally {
    world.emulator.limits.update({ perTwinWritesPerSecond: 10 });
  }
});

it('fails the invocation when ADT keeps failing past the deadline, and redelivery is idempotent', async () => {
  const batch = events(30, [
    message('down-1', { temperature: 5, ts: at(10) }, { messageId: 'down-msg' }),
    message('calm-1', { temperature: 6, co2: 600, ts: at(11) }, { messageId: 'calm-msg' }),
  ]);
  world.emulator.faults.update({ failTwins: { 'down-1': { status: 503, ops: ['twin.patch'] } } });
  await expect(app.invoke(batch)).rejects.toThrow(/updateTwin still failing after \d+ attempt\(s\).*The batch will be redelivered/s);
  // The healthy part of the batch already went through on the failed attempt.
  expect((await twin(world, 'calm-1')).temperature).toBe(6);
  expect((await twin(world, 'down-1')).temperature).toBeUndefined();

  // The host redelivers the same batch once ADT recovers, and again (e.g. after a lost checkpoint).
  world.emulator.faults.reset();
  const first = await app.invoke(batch);
  const second = await app.invoke(batch);
  const down = await twin(world, 'down-1');
  const calm = await twin(world, 'calm-1');
  expect([down.temperature, sourceTime(down, 'temperature'), calm.temperature, sourceTime(calm, 'temperature')]).toEqual([
    5,
    at(10),
    6,
    at(11),
  ]);
  // A redelivery finds values the twin already holds exactly (value and sourceTime): applied, with no PATCH.
  expect([first.applied, second.applied, second.patches, second.suppressedWrites]).toEqual([2, 2, 0, {}]);
  // Telemetry was sent three times with the same Message-Id: ADT routed it once.
  const routed = world.notifications.filter((n) => n.type === 'microsoft.iot.telemetry').map((n) => n.id);
  expect(routed).toEqual(['calm-msg']);
  expect(world.emulator.counters().telemetryDuplicates).toBe(2);
});

it('runs the exported function as deployed: app settings, PIPELINE_CONFIG_PATH and the settings-built dead-letter sink', async () => {
  const configPath = join(world.directory, 'deployed.json');
  await writeFile(configPath, JSON.stringify(pipeline), 'utf8');
  const previous = { ...process.env };
  Object.assign(process.env, {
    [settings.adtUrl.name]: world.emulator.url,
    [settings.pipelineConfigPath.name]: configPath,
    [settings.deadLetterStorage.name]: world.azurite.connectionString,
    [settings.deadLetterContainer.name]: 'deployed-dead-letters',
  });
  setAdtClientDefaults({ credential: stubCredential, httpClient: world.http });
  resetWorker();
  try {
    const deployed = await ingestApp(world, pipeline);
    const summary = await deployed.invokeRegistered(
      events(40, [message('env-1', { humidity: 61, ts: at(20) }), message('env-1', 'not json')]),
    );
    expect((await twin(world, 'env-1')).humidity).toBe(61);
    expect(summary).toMatchObject({ received: 2, applied: 1, deadLettered: 1, deadLetteredByReason: { 'invalid-json': 1 } });
    expect((await deployed.deadLetters('deployed-dead-letters')).map((l) => [l.name, l.document.reason])).toEqual([
      ['0/41.json', 'invalid-json'],
    ]);
  } finally {
    process.env = previous;
    setAdtClientDefaults({});
    resetWorker();
  }
});

it('refuses to load the function when the pipeline configuration is invalid, naming the problem', async () => {
  const configPath = join(world.directory, 'broken.yaml');
  await writeFile(configPath, 'ingest:\n  options:\n    maxTwinsPerMessage: lots\n', 'utf8');
  const previous = process.env[settings.pipelineConfigPath.name];
  process.env[settings.pipelineConfigPath.name] = configPath;
  try {
    let loadError: unknown;
    jest.isolateModules(() => {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('../../../functions/ingestTelemetry');
      } catch (error) {
        loadError = error;
      }
    });
    expect(loadError).toMatchObject({ name: 'ConfigError' });
    expect((loadError as Error).message).toContain(
      `Pipeline configuration ${configPath} is invalid (1 problem):\n  - ${configPath}:3:25: ingest.options.maxTwinsPerMessage: must be integer`,
    );
  } finally {
    if (previous === undefined) delete process.env[settings.pipelineConfigPath.name];
    else process.env[settings.pipelineConfigPath.name] = previous;
  }
});

// Last: it stops Azurite.
it('fails the invocation when a dead letter cannot be stored, so the batch is redelivered', async () => {
  await world.azurite.stop();
  await expect(app.invoke(events(50, [message('calm-1', 'still not json')]))).rejects.toThrow(
    /Dead-letter write to .* failed: .*The batch fails so no message is lost/s,
  );
});
