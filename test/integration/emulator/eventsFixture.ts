// A minimal model and twin for the events/limits/faults integration tests.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

export const roomModelId = 'dtmi:com:example:eventsTest:Room;1';

export const roomModel = {
  '@id': roomModelId,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;2',
  displayName: 'Room',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double' },
    { '@type': 'Property', name: 'name', schema: 'string' },
  ],
};

export async function createRoom(client: DigitalTwinsClient, id: string, temperature = 20): Promise<void> {
  await client.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: roomModelId }, temperature, name: id }));
}
