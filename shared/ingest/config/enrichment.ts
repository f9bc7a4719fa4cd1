// IoT Hub message enrichments arrive as application properties. One that references the device
// twin ($twin.tags.*, $twin.properties.*) is stamped as its own literal text when the twin lacks the
// path, holds an object there, or the hub is on the basic tier (reference §3.4) — and a new device's
// first messages can carry that literal for up to 5 minutes. Such a value is not a value: read as
// missing, so a twin id template falls back (or says twin-id-unresolved) instead of addressing a
// twin named "$twin.tags.twinId".

/** True for the literal IoT Hub stamps when a twin-referencing enrichment has no value. */
export function isUnresolvedEnrichment(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('$twin.');
}

/** An application property's value, or undefined when it is an unresolved enrichment. */
export function enrichedValue(value: unknown): unknown {
  return isUnresolvedEnrichment(value) ? undefined : value;
}
