// Puts a scenario's models, twins and relationships on the target (emulator or a real instance)
// through the data plane. Models already present are kept (a real instance may have them).
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { Scenario } from './scenario';

export interface SeedSummary {
  modelsCreated: number;
  modelsPresent: number;
  twins: number;
  relationships: number;
}

export async function seedScenario(client: DigitalTwinsClient, scenario: Scenario): Promise<SeedSummary> {
  const present = new Set<string>();
  for await (const model of client.listModels()) present.add(model.id);
  const missing = scenario.models.filter((m) => !present.has(String(m['@id'])));
  if (missing.length > 0) await client.createModels(missing);
  for (const twin of scenario.graph.twins) {
    const { $dtId, ...body } = twin;
    await client.upsertDigitalTwin($dtId, JSON.stringify(body));
  }
  for (const rel of scenario.graph.relationships) {
    const { $dtId, $relationshipId, ...body } = rel;
    await client.upsertRelationship($dtId, $relationshipId, body);
  }
  return {
    modelsCreated: missing.length,
    modelsPresent: scenario.models.length - missing.length,
    twins: scenario.graph.twins.length,
    relationships: scenario.graph.relationships.length,
  };
}
