// Public surface of the emulator for tests, the runner and scripts.
export { startEmulator, type EmulatorHandle } from './server';
export type { EmulatorOptions } from './options';
export { createEmulatorClient, TrustingHttpClient, stubCredential, type EmulatorClientOptions, type EmulatorTarget } from './trust';
export type { CountersSnapshot, OperationCounts, TwinWriteCounts } from './counters';
export type { ImportSummary } from './importJob';
export type { EmulatorSnapshot } from './snapshot';
