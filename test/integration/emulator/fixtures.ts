// Models and helpers shared by the emulator conformance tests.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

export const ROOM = 'dtmi:test:Room;1';
export const FLOOR = 'dtmi:test:Floor;1';
export const THERMOSTAT = 'dtmi:test:Thermostat;1';
export const ROOM_V2 = 'dtmi:test:Room;2';

export const models = [
  {
    '@id': THERMOSTAT,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;2',
    displayName: 'Thermostat',
    contents: [
      { '@type': 'Property', name: 'setpoint', schema: 'double', writable: true },
      { '@type': 'Property', name: 'mode', schema: 'string', writable: true },
    ],
  },
  {
    '@id': ROOM,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;2',
    displayName: 'Room',
    contents: [
      { '@type': 'Property', name: 'temperature', schema: 'double', writable: true },
      { '@type': 'Property', name: 'name', schema: 'string', writable: true },
      {
        '@type': 'Property',
        name: 'position',
        writable: true,
        schema: {
          '@type': 'Object',
          fields: [
            { name: 'x', schema: 'double' },
            { name: 'y', schema: 'double' },
          ],
        },
      },
      { '@type': 'Component', name: 'thermostat', schema: THERMOSTAT },
      { '@type': 'Telemetry', name: 'reading', schema: 'double' },
    ],
  },
  {
    '@id': ROOM_V2,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;2',
    displayName: 'Room v2',
    contents: [
      { '@type': 'Property', name: 'temperature', schema: 'double', writable: true },
      { '@type': 'Property', name: 'label', schema: 'string', writable: true },
      { '@type': 'Component', name: 'thermostat', schema: THERMOSTAT },
    ],
  },
  {
    '@id': FLOOR,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;2',
    displayName: 'Floor',
    contents: [
      { '@type': 'Property', name: 'level', schema: 'integer', writable: true },
      {
        '@type': 'Relationship',
        name: 'contains',
        target: ROOM,
        properties: [{ '@type': 'Property', name: 'since', schema: 'string', writable: true }],
      },
    ],
  },
];

export function roomBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { $metadata: { $model: ROOM }, temperature: 20, thermostat: { $metadata: {} }, ...extra };
}

export async function createRoom(
  client: DigitalTwinsClient,
  id: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const response = await client.upsertDigitalTwin(id, JSON.stringify(roomBody(extra)));
  return response.body as Record<string, unknown>;
}

export async function createFloor(client: DigitalTwinsClient, id: string, level = 1): Promise<void> {
  await client.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: FLOOR }, level }));
}

/** The RestError fields tests assert on. */
export async function restError(
  promise: Promise<unknown>,
): Promise<{ statusCode: number | undefined; code: string | undefined; message: string; details: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; message: string; details?: unknown };
    return { statusCode: e.statusCode, code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected the call to fail');
}

export const SEVEN_DIGITS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
