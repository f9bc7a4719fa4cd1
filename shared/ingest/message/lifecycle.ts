// What a device lifecycle event asks of the twin: create it (with the model the device twin names)
// or retire it. Mapping decides it from the event and what the batch knows of the twin; the writer
// carries it out against ADT's truth (a create that meets an existing twin, a delete that meets a
// twin already gone: both filtered, so redelivery and reordering are harmless).

export type LifecycleAction =
  | { kind: 'create'; twinId: string; modelId: string; eventKey: string }
  | { kind: 'delete'; twinId: string; eventKey: string };
