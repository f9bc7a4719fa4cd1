// The one catalogue of ingest outcome reasons. Every dead-letter and filter reason the pipeline can
// emit is listed here with what it means; the types below are derived from it, and a test checks
// that CONFIGURATION.md documents exactly these codes and that each one is emitted somewhere.

export const deadLetterReasons = {
  // Decoding the event
  'empty-body': 'the event has no body, or it is empty or only whitespace',
  'invalid-json': 'the body is not valid JSON (also: gzip bytes without content-encoding gzip)',
  'body-not-object': 'the body is JSON but not an object',
  'unsupported-body-type': 'the trigger delivered a value that is neither an object, a string nor bytes',
  'unsupported-encoding': 'content-encoding or charset names something other than utf-8, utf-16, gzip, deflate or br',
  'decompress-failed': 'content-encoding says gzip, deflate or br but the body does not decompress',
  'invalid-encoding': 'the bytes are not valid UTF-8 (or UTF-16) text; the original bytes are kept in the dead letter',
  'lossy-string-binding': 'a gzip or non-ASCII UTF-16 body arrived through the string binding, which destroyed bytes',
  'too-large': 'the body decodes (or decompresses) to more than ingest.options.maxDecodedBytes',
  'too-deep': 'the JSON body nests deeper than ingest.options.maxBodyDepth',
  'missing-device-id': 'no device id in the system properties or the configured application properties',
  'missing-enqueued-time': 'the event carries no readable enqueued time',
  // Mapping the message
  'twin-id-unresolved': 'the twin id template, table or query has no value for this message',
  'twin-not-found': 'the twin id query returned no twin',
  'unknown-twin':
    'the addressed twin does not exist in ADT and ingest.unknownTwin does not create it (dead-letter; or model, the default, and the message names no model ADT has)',
  'transform-failed': 'a transform (JSONata, unit, scale, type, range on a non-number) failed for the value',
  'out-of-range': 'the value is outside the mapping range and the range action is dead-letter',
  'missing-value': 'the source value is missing and the mapping says onMissing: dead-letter',
  'invalid-source-time': 'the configured sourceTime field is not an ISO 8601 date-time or epoch milliseconds',
  'future-source-time': 'the source time is more than maxClockSkewSeconds after the enqueued time and futureSourceTime is dead-letter',
  'unknown-operation':
    'an IoT Hub notification without opType, or with one its kind does not have (e.g. a connection state event that is neither deviceConnected nor deviceDisconnected)',
  'invalid-sequence-number': 'a connection state event whose sequenceNumber is missing or is not hexadecimal text of at most 64 digits',
  'rule-condition-failed': "a rule's match.when expression failed",
  'not-in-model': "the target property is not in the twin's DTDL model",
  'schema-mismatch': "the value does not fit the property's DTDL schema",
  'unknown-component': "the target component is not in the twin's DTDL model",
  'model-unavailable': "the twin's model could not be read from ADT",
  'fan-out-exceeded': 'the message addresses more twins than ingest.options.maxTwinsPerMessage',
  'value-too-large': "a string is over ADT's 4 KB limit, a name over 1 KB, or one value over the 32 KB request limit",
  'too-many-properties': 'the message maps to more property values than ingest.options.maxPropertiesPerMessage',
  'prototype-key':
    'a transform produced a value with a key __proto__, constructor or prototype (or an object built through one); the value is never written',
  'mapping-failed': 'mapping this message failed unexpectedly (the detail has the error); the rest of the batch went on',
  // Writing to ADT
  'adt-rejected': 'ADT refused the write or the telemetry (the detail has its status and message)',
  'superseded-by-rejected':
    "a newer value of the same property in the batch was refused by ADT, so this message's value was not written either",
  'write-failed': 'writing this twin failed unexpectedly (not an ADT answer; the detail has the error); the rest of the batch went on',
} as const;

export const filterReasons = {
  'missing-value': 'the source value is missing or the transform produced nothing (onMissing: skip)',
  'out-of-range': 'the value is outside the mapping range (range action drop)',
  'no-matching-rule': 'no rule matches and ingest.options.unmatched is ignore',
  'source-not-handled':
    'an IoT Hub notification (iothub-message-source other than Telemetry) of a kind, or opType, the configuration does not handle; never mapped as telemetry',
  'model-unknown': "no rule matched and the twin's DTDL model is unknown, so the model-driven default has nothing to map",
  'unmodeled-field': 'body fields the twin model does not declare (model-driven default)',
  'prototype-key':
    'the body or application properties held keys __proto__, constructor or prototype (at any depth); decoding removed them and the rest of the message was mapped',
  'nothing-mapped': 'the message produced no property value and no telemetry',
  'stale-source-time':
    'the value is older than the sourceTime the twin already stores (a connection state event: its sequenceNumber is not higher than the one the twin keeps)',
  'no-reported-change':
    'a twin change or digital twin change event that changes no reported property (desired properties and tags are mapped only by a rule naming the kind)',
  'no-model-for-device': 'a device lifecycle create whose device twin names no modelId, or one ADT does not have: the twin is not created',
  'twin-exists': 'a device lifecycle create for a twin that exists already (a redelivered or repeated event)',
  'twin-kept': 'a device lifecycle delete while ingest.lifecycle.onDelete is keep: the twin stays as it is',
  'twin-already-gone': 'a device lifecycle delete for a twin that does not exist (a redelivered or reordered event)',
  'connection-state-unmodeled':
    'a connection state event for a twin whose model declares no string Property connectionState (or the configured ingest.connectionState.property), and nothing else is configured',
  unchanged:
    'the value equals the one the twin stores (deep equality for objects) and its maxAge heartbeat is not due: no write, the stored sourceTime stays',
  'within-deadband':
    "the numeric value is within the property's deadband of the stored value and its maxAge heartbeat is not due: no write, the stored sourceTime stays",
  'reading-out-of-order':
    "a stateful transform's reading (integrate, rate, ema, delta, counter) is older than the reading the twin's state was computed from: it is not folded, so a total never rewinds",
  'reading-already-folded':
    "a stateful transform's reading has the same sourceTime as the twin's stored state (a redelivery, or a repeat in the batch): folding it again would count it twice",
} as const;

/**
 * Codes that were merged into another (one code per fault), kept as documented aliases for one
 * release: only the new code is emitted, so a dashboard matching the old one must match the new one.
 * Both old codes came from a second model check at write time; the check at mapping time is the one left.
 */
export const renamedReasons = {
  'unknown-property': 'not-in-model',
  'invalid-value': 'schema-mismatch',
} as const satisfies Record<string, keyof typeof deadLetterReasons>;

export type DeadLetterReason = keyof typeof deadLetterReasons;
export type FilterReason = keyof typeof filterReasons;
