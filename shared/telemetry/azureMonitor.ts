// Azure: metrics and traces to Application Insights through @azure/monitor-opentelemetry, started
// by the function app's entry files when APPLICATIONINSIGHTS_CONNECTION_STRING is set. The package
// (the OpenTelemetry Node SDK and its instrumentations) is required only then, so a cold start
// without it — locally, in tests — does not pay for loading it.
import type { TokenCredential } from '@azure/core-auth';
import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';

export interface AzureMonitorStart {
  env?: NodeJS.ProcessEnv;
  /** Application Insights has local (key) auth off: the exporter authenticates with this identity. */
  credential: () => TokenCredential;
  /** Tests: stands in for require('@azure/monitor-opentelemetry'). */
  load?: () => { useAzureMonitor(options: AzureMonitorOpenTelemetryOptions): void };
}

export type AzureMonitorState = 'off' | 'started';

const connectionStringSetting = 'APPLICATIONINSIGHTS_CONNECTION_STRING';
let started = false;

/** Idempotent: every function file calls it, the first call (with the setting) starts the SDK. */
export function startAzureMonitor(options: AzureMonitorStart): AzureMonitorState {
  if (started) return 'started';
  const connectionString = (options.env ?? process.env)[connectionStringSetting]?.trim();
  if (!connectionString) return 'off';
  const load =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    options.load ?? (() => require('@azure/monitor-opentelemetry') as { useAzureMonitor(o: AzureMonitorOpenTelemetryOptions): void });
  load().useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, credential: options.credential() },
    enableLiveMetrics: false,
    // HTTP auto-instrumentation would inject a traceparent of its own (a root span: the gateway does
    // not run inside one) into every ADT request, replacing the device's that ADT forwards to its
    // change notifications — and that chain is what the spans here follow.
    instrumentationOptions: { http: { enabled: false } },
  });
  started = true;
  return 'started';
}

/** Tests only: forget that the SDK was started. */
export function resetAzureMonitorForTests(): void {
  started = false;
}
