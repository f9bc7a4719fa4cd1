// Which of the things IoT Hub routes an event is: device telemetry, or one of its four notification
// kinds (lifecycle, twin change, connection state, Plug and Play digital twin change). IoT Hub says so
// in the system property `iothub-message-source`, then in the application property `opType`
// (reference: iot-hub-events-and-bulk.md §1.1–§1.2). Each kind has its own mapping step.

/** The kinds, named as IoT Hub names the source (telemetry: `Telemetry`, or no source at all). */
export const messageKinds = [
  'telemetry',
  'deviceLifecycleEvents',
  'twinChangeEvents',
  'deviceConnectionStateEvents',
  'digitalTwinChangeEvents',
] as const;

/** `other`: a source this pipeline has no step for (e.g. deviceJobLifecycleEvents); filtered. */
export type MessageKind = (typeof messageKinds)[number] | 'other';

/** What classification read: the kind, IoT Hub's own source text and the operation. */
export interface MessageSource {
  kind: MessageKind;
  /** `iothub-message-source` as sent. */
  name: string;
  /** `opType` (application property), e.g. deviceConnected, updateTwin; absent when not sent. */
  opType?: string;
}

/** The source of a message that carries none (telemetry); shared, never mutated. */
export const telemetrySource: MessageSource = Object.freeze({ kind: 'telemetry', name: 'Telemetry' });
