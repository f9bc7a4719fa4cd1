// IoT Hub's own events for simulated devices, shaped as routing delivers them (reference
// iot-hub-events-and-bulk.md §1): connection state (with IoT Hub's hex sequence number, one counter
// for the hub, so later events compare higher), lifecycle (the device twin in the body, naming the
// device's model) and twin changes (reported values with their $lastUpdated).
import type { TelemetryEnvelope } from '../../shared/ingest';

const hubName = 'simulated-hub';

export class DeviceEventFactory {
  private sequence = 0;

  constructor(private readonly seed: number) {}

  connection(deviceId: string, connected: boolean, at: Date): TelemetryEnvelope {
    this.sequence += 1;
    // 64 hex digits, as in the reference's example; the seed keeps runs apart and repeatable.
    const sequenceNumber = `${(this.seed >>> 0).toString(16).toUpperCase().padStart(16, '0')}${this.sequence.toString(16).toUpperCase().padStart(48, '0')}`;
    return this.event(
      deviceId,
      'deviceConnectionStateEvents',
      'deviceConnectionStateNotification',
      connected ? 'deviceConnected' : 'deviceDisconnected',
      at,
      `${deviceId}-connection-${this.sequence}`,
      { sequenceNumber },
    );
  }

  lifecycle(deviceId: string, modelId: string, created: boolean, at: Date): TelemetryEnvelope {
    const twin = {
      deviceId,
      etag: 'AAAAAAAAAAE=',
      version: 2,
      modelId,
      properties: {
        desired: { $metadata: { $lastUpdated: at.toISOString() }, $version: 1 },
        reported: { $metadata: { $lastUpdated: at.toISOString() }, $version: 1 },
      },
    };
    const opType = created ? 'createDeviceIdentity' : 'deleteDeviceIdentity';
    return this.event(
      deviceId,
      'deviceLifecycleEvents',
      'deviceLifecycleNotification',
      opType,
      at,
      `${deviceId}-${created ? 'created' : 'deleted'}`,
      twin,
    );
  }

  reported(deviceId: string, values: Record<string, unknown>, version: number, at: Date): TelemetryEnvelope {
    const time = at.toISOString();
    const metadata: Record<string, unknown> = { $lastUpdated: time };
    for (const name of Object.keys(values)) metadata[name] = { $lastUpdated: time, $lastUpdatedVersion: version };
    const body = { version, properties: { reported: { ...values, $version: version, $metadata: metadata } } };
    return this.event(deviceId, 'twinChangeEvents', 'twinChangeNotification', 'updateTwin', at, `${deviceId}-reported-${version}`, body);
  }

  private event(
    deviceId: string,
    source: string,
    schema: string,
    opType: string,
    at: Date,
    messageId: string,
    body: unknown,
  ): TelemetryEnvelope {
    const time = at.toISOString();
    return {
      deviceId,
      enqueuedTime: time,
      messageId,
      properties: { hubName, deviceId, opType, 'iothub-message-schema': schema, operationTimestamp: time },
      systemProperties: { 'iothub-message-source': source, 'content-type': 'application/json', 'content-encoding': 'utf-8' },
      body,
    };
  }
}
