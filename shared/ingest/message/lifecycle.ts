// What a device lifecycle event asks of the twin: create it (with the model the device twin names)
// or retire it. Mapping decides it from the event and what the batch knows of the twin; the writer
// carries it out against ADT's truth (a create that meets an existing twin, a delete that meets a
// twin already gone: both filtered, so redelivery and reordering are harmless).

export type LifecycleAction =
  | {
      kind: 'create';
      twinId: string;
      modelId: string;
      eventKey: string;
      /** Initial values (ingest.lifecycle.initialProperties), validated by ADT with the create. */
      properties?: Record<string, unknown>;
      /** A relationship from this parent twin to the new one (ingest.lifecycle.parent). */
      parent?: { twinId: string; relationship: string };
    }
  | { kind: 'delete'; twinId: string; eventKey: string };
