// Locally, the pipeline's OpenTelemetry metrics as Prometheus text: an SDK MeterProvider with the
// Prometheus exporter as a pull reader (its own HTTP server not started — the runner serves GET
// /metrics on its ingress port), registered as the global provider for the run, so the function
// app's instruments (shared/telemetry) record into it. One run at a time per process.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface LocalMetrics {
  /** The current numbers, in the Prometheus text exposition format. */
  text(): Promise<string>;
  /** Answers a GET /metrics request. */
  serve(request: IncomingMessage, response: ServerResponse): void;
  /** Unregisters the provider (instruments go back to no-op) and shuts it down. */
  close(): Promise<void>;
}

export function startLocalMetrics(): LocalMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  // setGlobalMeterProvider refuses a second registration; a process (a test file) may run several.
  metrics.disable();
  if (!metrics.setGlobalMeterProvider(provider))
    throw new Error('Could not register the local metrics provider: another OpenTelemetry meter provider is registered in this process.');
  const serializer = new PrometheusSerializer();
  let closing: Promise<void> | undefined;
  return {
    text: async () => {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    serve: (request, response) => exporter.getMetricsRequestHandler(request, response),
    close: () =>
      (closing ??= (async () => {
        if (metrics.getMeterProvider() === provider) metrics.disable();
        await provider.shutdown();
      })()),
  };
}
