// The baseline for propagation: what the public samples do on each Twin.Update of a child — find
// the parent and the siblings through the query API, average, and `replace` the parent's value with
// no ETag and no coalescing, one write per notification.

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { CloudEventNotification } from '../local/emulator/events/schemas';

async function queryAll(client: DigitalTwinsClient, query: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of client.queryTwins(query)) rows.push(row as Record<string, unknown>);
  return rows;
}

export function naivePropagateHandler(
  client: DigitalTwinsClient,
  childModelId: string,
  relationshipName: string,
): (event: CloudEventNotification) => Promise<void> {
  return async (event) => {
    const data = event.data as { modelId?: string } | undefined;
    if (event.type !== 'Microsoft.DigitalTwins.Twin.Update' || data?.modelId !== childModelId || !event.subject) return;
    const parents = await queryAll(
      client,
      `SELECT parent FROM DIGITALTWINS parent JOIN child RELATED parent.${relationshipName} WHERE child.$dtId = '${event.subject}'`,
    );
    for (const row of parents) {
      const parentId = (row.parent as { $dtId: string }).$dtId;
      const siblings = await queryAll(
        client,
        `SELECT child FROM DIGITALTWINS parent JOIN child RELATED parent.${relationshipName} WHERE parent.$dtId = '${parentId}'`,
      );
      const values = siblings
        .map((s) => (s.child as { temperature?: unknown }).temperature)
        .filter((v): v is number => typeof v === 'number');
      if (values.length === 0) continue;
      await client.updateDigitalTwin(parentId, [
        { op: 'replace', path: '/temperature', value: values.reduce((a, b) => a + b, 0) / values.length },
      ]);
    }
  };
}
