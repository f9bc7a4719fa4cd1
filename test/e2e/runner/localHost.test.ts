// The local host end to end for one registration: what app.eventHub/app.eventGrid register is what
// gets invoked, and the handler sees what the Functions host would hand it (bodies per dataType,
// camel-cased trigger metadata with IoT Hub system properties, Event Grid events as sent).
import type { InvocationContext } from '@azure/functions';

import { eventGridTriggerRequest } from '../../../local/runner/eventGridTriggerRequest';
import { eventHubTriggerRequest } from '../../../local/runner/eventHubTriggerRequest';
import { capturedProgrammingModel, loadFunctionApp } from '../../../local/runner/functionsHost';
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
  app.eventGrid('gridProbe', { handler: async (event: unknown) => void events.push(event) });
});

const partition = { fullyQualifiedNamespace: 'ns.servicebus.windows.net', eventHubName: 'hub', consumerGroup: '$Default', partitionId: '2' };

it('hands a string-typed batch and IoT Hub trigger metadata to the registered handler', async () => {
  const registration = loadFunctionApp([], { hook: false }).get('hostProbe');
  if (!registration) throw new Error('hostProbe was not registered');
  const { name, binding } = triggerBindingOf(registration);
  const batch = [
    { envelope: { deviceId: 'dev-1', enqueuedTime: '2024-01-01T00:00:00.123Z', messageId: 'm1', properties: { Unit: 'C' }, body: { t: 21.5 } }, sequenceNumber: 7, offset: 0 },
    { envelope: { deviceId: 'dev-2', moduleId: 'edge', enqueuedTime: '2024-01-01T00:00:01Z', bodyBase64: Buffer.from('not json').toString('base64') }, sequenceNumber: 8, offset: 14 },
  ];
  await invokeRegistration(capturedProgrammingModel()!, registration, eventHubTriggerRequest(name, binding as RegisteredBinding, partition, batch, 1, 2));
  const call = seen.at(-1)!;
  expect(call.messages).toEqual([{ t: 21.5 }, 'not json']);
  expect(call.retry).toEqual({ retryCount: 1, maxRetryCount: 2 });
  expect(call.metadata).toMatchObject({
    partitionContext: { partitionId: '2', eventHubName: 'hub', consumerGroup: '$Default' },
    sequenceNumberArray: [7, 8],
    enqueuedTimeUtcArray: ['2024-01-01T00:00:00.123', '2024-01-01T00:00:01.000'],
    // The library lower-cases only the first letter of every key: "Unit" arrives as "unit".
    propertiesArray: [{ unit: 'C' }, {}],
  });
  const system = (call.metadata?.systemPropertiesArray as Record<string, unknown>[]) ?? [];
  expect(system[0]).toMatchObject({ 'iothub-connection-device-id': 'dev-1', 'message-id': 'm1', 'iothub-enqueuedtime': '2024-01-01T00:00:00.123Z', sequenceNumber: 7 });
  expect(system[1]).toMatchObject({ 'iothub-connection-device-id': 'dev-2', 'iothub-connection-module-id': 'edge' });
});

it('without a dataType, a non-JSON body fails the whole batch as the host does', () => {
  expect(() =>
    eventHubTriggerRequest('t', { type: 'eventHubTrigger' }, partition, [{ envelope: { deviceId: 'd', enqueuedTime: '2024-01-01T00:00:00Z', bodyBase64: Buffer.from('x').toString('base64') }, sequenceNumber: 1, offset: 0 }]),
  ).toThrow('Set dataType on the trigger');
});

it('hands an Event Grid event to the eventGrid registration as it was sent', async () => {
  const registration = loadFunctionApp([], { hook: false }).get('gridProbe');
  if (!registration) throw new Error('gridProbe was not registered');
  const event = { specversion: '1.0', id: 'e1', type: 'Microsoft.DigitalTwins.Twin.Update', source: 'h', subject: 'room-1', data: { modelId: 'dtmi:x;1', patch: [{ op: 'replace', path: '/T', value: 1 }] } };
  await invokeRegistration(capturedProgrammingModel()!, registration, eventGridTriggerRequest(triggerBindingOf(registration).name, event));
  expect(events.at(-1)).toEqual(event);
});
