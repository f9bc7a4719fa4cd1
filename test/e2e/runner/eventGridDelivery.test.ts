// Notifications → the eventGrid registration: one invocation per event in the configured schema; a
// throwing invocation is retried with bounded backoff, then dead-lettered for the summary.
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createEmulatorClient } from '../../../local/emulator/trust';
import { connectPropagation, endpointConfig } from '../../../local/runner/eventGridDelivery';
import type { FunctionApp } from '../../../local/runner/functionApp';
import { capturedProgrammingModel, loadFunctionApp } from '../../../local/runner/functionsHost';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const received: Record<string, unknown>[] = [];
let failuresLeft = 0;

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { app } = require('@azure/functions') as typeof import('@azure/functions');
  app.eventGrid('propagateProbe', {
    handler: async (event: unknown) => {
      const e = event as Record<string, unknown>;
      if (e.subject === 'always-fails' || failuresLeft-- > 0) throw new Error(`ADT busy for ${String(e.subject)}`);
      received.push(e);
    },
  });
});

const model = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:test:Thing;1',
  '@type': 'Interface',
  contents: [{ '@type': 'Property', name: 'v', schema: 'double' }],
};

async function setUp(schema: 'CloudEvents' | 'EventGrid'): Promise<{
  emulator: EmulatorHandle;
  failures: unknown[];
  results: unknown[];
  close(): Promise<void>;
  twin(id: string, v: number): Promise<void>;
}> {
  const emulator = await startEmulator({ endpoints: [endpointConfig(schema, { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 })] });
  const { client, httpClient } = createEmulatorClient(emulator);
  await client.createModels([model]);
  const registration = loadFunctionApp([], { hook: false }).get('propagateProbe');
  if (!registration) throw new Error('propagateProbe was not registered');
  const app = { propagate: registration, programmingModel: capturedProgrammingModel() } as unknown as FunctionApp;
  const failures: unknown[] = [];
  const results: unknown[] = [];
  const unsubscribe = await connectPropagation(emulator, client, app, {
    onResult: (r) => results.push(r),
    onFailure: (e) => failures.push(e),
    onLog: () => undefined,
  });
  return {
    emulator,
    failures,
    results,
    twin: async (id, v) => void (await client.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: 'dtmi:test:Thing;1' }, v }))),
    close: async () => {
      unsubscribe();
      httpClient.destroy();
      await emulator.close();
    },
  };
}

it('delivers CloudEvents to the registered handler, retrying a failed invocation', async () => {
  const env = await setUp('CloudEvents');
  try {
    failuresLeft = 1;
    await env.twin('t1', 1);
    await env.emulator.events.idle();
    expect(env.failures).toHaveLength(1);
    expect(received.at(-1)).toMatchObject({ specversion: '1.0', type: 'Microsoft.DigitalTwins.Twin.Create', subject: 't1' });
    expect(env.emulator.events.deadLetters()).toEqual([]);
  } finally {
    await env.close();
  }
});

it('delivers EventGridEvents when configured, and gives up after the bounded attempts', async () => {
  const env = await setUp('EventGrid');
  try {
    failuresLeft = 0;
    await env.twin('t2', 2);
    await env.twin('always-fails', 3);
    await env.emulator.events.idle();
    expect(received.at(-1)).toMatchObject({ eventType: 'Microsoft.DigitalTwins.Twin.Create', subject: 't2', dataVersion: '1.0' });
    const dead = env.emulator.events.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ attempts: 3, lastError: 'ADT busy for always-fails' });
    expect(env.failures).toHaveLength(3);
  } finally {
    await env.close();
  }
});
