// Where simulated telemetry goes: an ndjson file, the local runner's --follow port, or a real
// Event Hub (so a deployed stack can be driven). Each sink takes envelopes in small groups.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { request } from 'node:http';
import { dirname, resolve } from 'node:path';

import { type EventData, EventHubProducerClient } from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';

import { envelopeBodyBytes, type TelemetryEnvelope } from '../../shared/ingest';

export interface TelemetrySink {
  readonly description: string;
  /** Replays in real time (live targets) or as fast as possible (a file). */
  readonly live: boolean;
  send(envelopes: TelemetryEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

export function fileSink(path: string): TelemetrySink {
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  const stream: WriteStream = createWriteStream(target, { encoding: 'utf8' });
  return {
    description: `file ${target}`,
    live: false,
    send: (envelopes) =>
      new Promise((done, fail) => {
        const text = envelopes.map((e) => `${JSON.stringify(e)}\n`).join('');
        stream.write(text, (error) => (error ? fail(error) : done()));
      }),
    close: () => new Promise((done) => stream.end(() => done())),
  };
}

/** POSTs ndjson to a runner started with --follow. */
export function httpSink(baseUrl: string): TelemetrySink {
  const url = new URL('/telemetry', baseUrl);
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`--to must be the local runner's loopback address, e.g. http://127.0.0.1:7300 (got ${baseUrl}).`);
  }
  return {
    description: `local runner ${url.href}`,
    live: true,
    send: (envelopes) =>
      new Promise((done, fail) => {
        const body = envelopes.map((e) => JSON.stringify(e)).join('\n');
        const req = request(
          url,
          { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              if (res.statusCode === 202) done();
              else fail(new Error(`The runner answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`));
            });
          },
        );
        req.on('error', (error) =>
          fail(new Error(`Cannot reach the runner at ${url.href} (${error.message}). Start it with: npm run local -- --follow`)),
        );
        req.end(body);
      }),
    close: async () => undefined,
  };
}

export interface EventHubTarget {
  /** `<namespace>.servicebus.windows.net` (DefaultAzureCredential) … */
  namespace?: string;
  /** … or a connection string (its EntityPath, if any, names the hub). */
  connectionString?: string;
  eventHubName?: string;
}

/**
 * A custom producer cannot set IoT Hub's system properties (iothub-connection-device-id …), so the
 * device id travels as the application property `deviceId` — the ingest's default
 * ingest.options.deviceIdProperties — together with the device's own properties.
 */
export function toEventData(envelope: TelemetryEnvelope): EventData {
  return {
    body: envelope.bodyBase64 !== undefined ? envelopeBodyBytes(envelope) : envelope.body,
    contentType: envelope.bodyBase64 !== undefined ? 'application/octet-stream' : 'application/json',
    ...(envelope.messageId ? { messageId: envelope.messageId } : {}),
    properties: {
      ...envelope.properties,
      deviceId: envelope.deviceId,
      ...(envelope.moduleId ? { moduleId: envelope.moduleId } : {}),
    },
  };
}

export function eventHubSink(target: EventHubTarget): TelemetrySink {
  let producer: EventHubProducerClient;
  if (target.connectionString) {
    producer = target.eventHubName
      ? new EventHubProducerClient(target.connectionString, target.eventHubName)
      : new EventHubProducerClient(target.connectionString);
  } else if (target.namespace && target.eventHubName) {
    const fqns = target.namespace.includes('.') ? target.namespace : `${target.namespace}.servicebus.windows.net`;
    producer = new EventHubProducerClient(fqns, target.eventHubName, new DefaultAzureCredential());
  } else {
    throw new Error(
      'Event Hub target needs --event-hub-namespace and --event-hub-name (DefaultAzureCredential, role Azure Event Hubs Data Sender), or --event-hub-connection-string.',
    );
  }
  return {
    description: `Event Hub ${producer.fullyQualifiedNamespace}/${producer.eventHubName}`,
    live: true,
    async send(envelopes) {
      // One partition key per device keeps each device's messages in order, as IoT Hub does.
      const byDevice = new Map<string, TelemetryEnvelope[]>();
      for (const e of envelopes) byDevice.set(e.deviceId, [...(byDevice.get(e.deviceId) ?? []), e]);
      for (const [deviceId, group] of byDevice) await producer.sendBatch(group.map(toEventData), { partitionKey: deviceId });
    },
    close: () => producer.close(),
  };
}
