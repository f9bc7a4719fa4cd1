// The telemetry envelope is the pipeline's own format (HTTP ingest takes it too): defined in shared/ingest.
export { envelopeBodyBytes, parseEnvelope, parseEnvelopes, type TelemetryEnvelope } from '../../shared/ingest';
