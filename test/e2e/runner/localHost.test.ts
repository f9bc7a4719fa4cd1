// The local host end to end for one registration: what app.eventHub/app.eventGrid register is what
// gets invoked, and the handler sees what the Functions host would hand it (bodies per dataType,
// camel-cased trigger metadata with IoT Hub system properties, Event Grid events as sent).
import type { InvocationContext } from '@azure/functions';

import { eventGridTriggerRequest } from '../../../local/runner/eventGridTriggerRequest';
import { eventHubTriggerRequest } from '../../../local/runner/eventHubTriggerRequest';
import type { FunctionApp } from '../../../local/runner/functionApp';
import { capturedProgrammingModel, loadFunctionApp } from '../../../local/runner/functionsHost';
import { httpIngestInvoker } from '../../../local/runner/httpIngestInvoker';
import { invokeRegistration, triggerBindingOf } from '../../../local/runner/invoke';
import type { RegisteredBinding } from '../../../local/runner/rpcTypes';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

interface Seen {
  messages: unknown[];
  metadata: Record<string, unknown> | undefined;
  retry: unknown;
}
const seen: Seen[] = [];
const events: unknown[] = [];

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { app } = require('@azure/functions') as typeof import('@azure/functions');
  const options = {
    connection: 'EventHubConnection',
    eventHubName: 'hub',
    cardinality: 'many' as const,
    dataType: 'string',
    retry: { strategy: 'fixedDelay' as const, maxRetryCount: 2, delayInterval: { seconds: 1 } },
    handler: async (messages: unknown[], context: InvocationContext) => {
      seen.push({ messages, metadata: context.triggerMetadata, retry: context.retryContext });
    },
  };
  app.eventHub('hostProbe', options);
  app.eventGrid('gridProbe', {
    handler: async (event: unknown, context: InvocationContext) => void events.push({ event, retry: context.retryContext }),
  });
  app.http('httpProbe', {
    methods: ['POST'],
    handler: async (request) => ({
      status: 200,
      jsonBody: { bytes: (await request.arrayBuffer()).byteLength, chunked: request.headers.get('transfer-encoding') },
    }),
  });
});

const partition = {
  fullyQualifiedNamespace: 'ns.servicebus.windows.net',
  eventHubName: 'hub',
  consumerGroup: '$Default',
  partitionId: '2',
};

it('hands a string-typed batch and IoT Hub trigger metadata to the registered handler', async () => {
  const registration = loadFunctionApp([], { hook: false }).get('hostProbe');
  if (!registration) throw new Error('hostProbe was not registered');
  const { name, binding } = triggerBindingOf(registration);
  const batch = [
    {
      envelope: {
        deviceId: 'dev-1',
        enqueuedTime: '2024-01-01T00:00:00.123Z',
        messageId: 'm1',
        properties: { Unit: 'C' },
        body: { t: 21.5 },
      },
      sequenceNumber: 7,
      offset: 0,
    },
    {
      envelope: {
        deviceId: 'dev-2',
        moduleId: 'edge',
        enqueuedTime: '2024-01-01T00:00:01Z',
        bodyBase64: Buffer.from('not json').toString('base64'),
      },
      sequenceNumber: 8,
      offset: 14,
    },
  ];
  await invokeRegistration(
    capturedProgrammingModel()!,
    registration,
    eventHubTriggerRequest(name, binding as RegisteredBinding, partition, batch, 1, 2),
  );
  const call = seen.at(-1)!;
  expect(call.messages).toEqual([{ t: 21.5 }, 'not json']);
  expect(call.retry).toEqual({ retryCount: 1, maxRetryCount: 2 });
  const long = (low: number) => ({ low, high: 0, unsigned: false });
  const partitionContext = { partitionId: '2', eventHubName: 'hub', consumerGroup: '$Default' };
  expect(call.metadata).toMatchObject({
    partitionContext,
    triggerPartitionContext: partitionContext,
    // sint64 decoded by the worker's protobuf as Longs.
    sequenceNumberArray: [long(7), long(8)],
    // Json.NET's DateTime: no offset, no trailing fractional zeros.
    enqueuedTimeUtcArray: ['2024-01-01T00:00:00.123', '2024-01-01T00:00:01'],
    // string[] entries are JSON-parsed by the library: numeric offsets arrive as numbers.
    offsetArray: [0, 14],
    offsetStringArray: [0, 14],
    // Null and empty entries dropped: neither event has a partition key.
    partitionKeyArray: [],
    // The library lower-cases only the first letter of every key: "Unit" arrives as "unit".
    propertiesArray: [{ unit: 'C' }, {}],
  });
  const system = (call.metadata?.systemPropertiesArray as Record<string, unknown>[]) ?? [];
  expect(system[0]).toMatchObject({
    'iothub-connection-device-id': 'dev-1',
    'message-id': 'm1',
    'iothub-enqueuedtime': '2024-01-01T00:00:00.123Z',
    'x-opt-enqueued-time': '2024-01-01T00:00:00.123+00:00',
    'x-opt-sequence-number': long(7),
    sequenceNumber: long(7),
    offset: 0,
    offsetString: '0',
    partitionKey: null,
  });
  expect(system[1]).toMatchObject({
    'iothub-connection-device-id': 'dev-2',
    'iothub-connection-module-id': 'edge',
    'x-opt-enqueued-time': '2024-01-01T00:00:01+00:00',
  });
});

it('sends no retry context with a first attempt, and a partition key array of the keyed events only', async () => {
  const registration = loadFunctionApp([], { hook: false }).get('hostProbe');
  if (!registration) throw new Error('hostProbe was not registered');
  const { name, binding } = triggerBindingOf(registration);
  const event = (deviceId: string, sequenceNumber: number, key?: string) => ({
    envelope: {
      deviceId,
      enqueuedTime: '2024-01-01T00:00:00Z',
      body: {},
      ...(key && { systemProperties: { 'x-opt-partition-key': key } }),
    },
    sequenceNumber,
    offset: sequenceNumber * 10,
  });
  await invokeRegistration(
    capturedProgrammingModel()!,
    registration,
    eventHubTriggerRequest(name, binding as RegisteredBinding, partition, [
      event('a', 1),
      event('b', 2),
      event('c', 3, 'thermostat-102'),
      event('d', 4),
    ]),
  );
  const call = seen.at(-1)!;
  expect(call.retry).toBeUndefined();
  expect(call.metadata?.partitionKeyArray).toEqual(['thermostat-102']);
  expect((call.metadata?.systemPropertiesArray as Record<string, unknown>[])[2]).toMatchObject({
    'x-opt-partition-key': 'thermostat-102',
    partitionKey: 'thermostat-102',
  });
});

it('passes a chunked HTTP request on without its body, as the host does', async () => {
  const http = loadFunctionApp([], { hook: false }).get('httpProbe');
  if (!http) throw new Error('httpProbe was not registered');
  const invoke = httpIngestInvoker({ http, programmingModel: capturedProgrammingModel()! } as unknown as FunctionApp, () => undefined);
  const body = Buffer.from('{"deviceId":"d"}');
  expect(JSON.parse((await invoke(body, { 'content-length': String(body.length) }, 'http://127.0.0.1/api/telemetry')).body)).toEqual({
    bytes: body.length,
    chunked: null,
  });
  expect(JSON.parse((await invoke(body, { 'transfer-encoding': 'chunked' }, 'http://127.0.0.1/api/telemetry')).body)).toEqual({
    bytes: 0,
    chunked: 'chunked',
  });
});

it('without a dataType, a non-JSON body fails the whole batch as the host does', () => {
  expect(() =>
    eventHubTriggerRequest('t', { type: 'eventHubTrigger' }, partition, [
      {
        envelope: { deviceId: 'd', enqueuedTime: '2024-01-01T00:00:00Z', bodyBase64: Buffer.from('x').toString('base64') },
        sequenceNumber: 1,
        offset: 0,
      },
    ]),
  ).toThrow('Set dataType on the trigger');
});

it('hands an Event Grid event to the eventGrid registration as it was sent', async () => {
  const registration = loadFunctionApp([], { hook: false }).get('gridProbe');
  if (!registration) throw new Error('gridProbe was not registered');
  const event = {
    specversion: '1.0',
    id: 'e1',
    type: 'Microsoft.DigitalTwins.Twin.Update',
    source: 'h',
    subject: 'room-1',
    data: { modelId: 'dtmi:x;1', patch: [{ op: 'replace', path: '/T', value: 1 }] },
  };
  await invokeRegistration(capturedProgrammingModel()!, registration, eventGridTriggerRequest(triggerBindingOf(registration).name, event));
  expect(events.at(-1)).toEqual({ event, retry: undefined });
});

it("re-serialises Event Grid dates as the host's Json.NET does, at any depth", async () => {
  const registration = loadFunctionApp([], { hook: false }).get('gridProbe');
  if (!registration) throw new Error('gridProbe was not registered');
  const event = {
    id: 'e2',
    eventType: 'Microsoft.DigitalTwins.Twin.Update',
    subject: 'room-1',
    eventTime: '2024-05-01T08:00:05.1200000Z',
    dataVersion: '1.0',
    data: {
      modelId: 'dtmi:x;1',
      patch: [
        { op: 'add', path: '/$metadata/T/sourceTime', value: '2024-05-01T08:00:05.000Z' },
        { op: 'add', path: '/label', value: 'not a date' },
      ],
    },
  };
  await invokeRegistration(capturedProgrammingModel()!, registration, eventGridTriggerRequest(triggerBindingOf(registration).name, event));
  expect(events.at(-1)).toEqual({
    event: {
      ...event,
      eventTime: '2024-05-01T08:00:05.12Z',
      data: { ...event.data, patch: [{ ...event.data.patch[0], value: '2024-05-01T08:00:05Z' }, event.data.patch[1]] },
    },
    retry: undefined,
  });
});
