// Public surface of the emulator for tests, the runner and scripts.
export type { CountersSnapshot, OperationCounts, TwinWriteCounts } from './counters';
export { egressFilter, type EgressHandle, type EgressOptions } from './egress';
export { type AmqpEgressMessage, toAmqpMessage } from './events';
export type { ImportSummary } from './importJob';
export type { EmulatorOptions } from './options';
export { type EmulatorHandle, startEmulator } from './server';
export type { EmulatorSnapshot } from './snapshot';
export { createEmulatorClient, type EmulatorClientOptions, type EmulatorTarget, stubCredential, TrustingHttpClient } from './trust';
