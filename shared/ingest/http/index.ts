export { envelopeBodyBytes, parseEnvelope, parseEnvelopes, type TelemetryEnvelope } from './envelope';
export { envelopeEvents, httpIngestAnswer, httpIngestLimits, type HttpMessageOutcome, parseHttpIngestBody } from './httpIngest';
export { type HttpIngestAuth, httpIngestAuthLevel, httpIngestAuthOf, httpIngestCallerProblem } from './httpIngestAuth';
