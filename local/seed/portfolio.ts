// A generated building portfolio for bulk seeding (`npm run seed -- --portfolio <twins>`): buildings →
// floors → rooms → three sensors per room (thermostat, occupancy, air quality), with the building
// scenario's models (local/scenarios/building/models). Deterministic: the same count gives the same
// ids and values, so a test or a bench can check the instance afterwards.
import type { ImportedRelationship, ImportedTwin } from '../scenario';

/** The shape of one building; the last building is cut short when the count ends inside it. */
export const PORTFOLIO_SHAPE = { floorsPerBuilding: 10, roomsPerFloor: 10 } as const;

const MODEL = {
  building: 'dtmi:example:building:Building;1',
  floor: 'dtmi:example:building:Floor;1',
  room: 'dtmi:example:building:Room;1',
  thermostat: 'dtmi:example:building:Thermostat;1',
  occupancy: 'dtmi:example:building:OccupancySensor;1',
  airQuality: 'dtmi:example:building:AirQualitySensor;1',
} as const;

/** The models a portfolio uses; the Device base model comes with them (the sensors extend it). */
export const PORTFOLIO_MODEL_IDS: readonly string[] = [...Object.values(MODEL), 'dtmi:example:building:Device;1'];

export interface PortfolioGraph {
  twins: ImportedTwin[];
  relationships: ImportedRelationship[];
}

/** A number in [min, max) from the id, so values differ per twin but never per run. */
function valueFor(id: string, min: number, max: number): number {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return Math.round((min + ((hash >>> 0) / 2 ** 32) * (max - min)) * 10) / 10;
}

export function generatePortfolio(twinCount: number): PortfolioGraph {
  if (!Number.isInteger(twinCount) || twinCount < 1)
    throw new Error(`--portfolio needs a whole number of twins, at least 1 (got ${twinCount}).`);
  const twins: ImportedTwin[] = [];
  const relationships: ImportedRelationship[] = [];
  const full = (): boolean => twins.length >= twinCount;
  const add = (id: string, model: string, properties: Record<string, unknown>, parent?: { id: string; relationship: string }): void => {
    twins.push({ $dtId: id, $metadata: { $model: model }, ...properties });
    if (parent)
      relationships.push({
        $dtId: parent.id,
        $relationshipId: `${parent.relationship}-${id}`,
        $targetId: id,
        $relationshipName: parent.relationship,
      });
  };
  for (let b = 1; !full(); b++) {
    const building = `b${b}`;
    add(building, MODEL.building, { name: `Building ${b}` });
    for (let f = 1; f <= PORTFOLIO_SHAPE.floorsPerBuilding && !full(); f++) {
      const floor = `${building}-f${f}`;
      add(floor, MODEL.floor, { name: `Building ${b} floor ${f}`, level: f }, { id: building, relationship: 'hasFloor' });
      for (let r = 1; r <= PORTFOLIO_SHAPE.roomsPerFloor && !full(); r++) {
        const room = `${floor}-r${r}`;
        add(room, MODEL.room, { name: `Room ${f}${String(r).padStart(2, '0')}` }, { id: floor, relationship: 'hasRoom' });
        const sensors: Array<[string, string, Record<string, unknown>]> = [
          [`${room}-thermostat`, MODEL.thermostat, { temperature: valueFor(room, 18, 26), targetTemperature: 21, online: true }],
          [
            `${room}-occupancy`,
            MODEL.occupancy,
            { occupied: valueFor(room, 0, 1) >= 0.5, peopleCount: Math.floor(valueFor(room, 0, 8)), online: true },
          ],
          [`${room}-air`, MODEL.airQuality, { co2: valueFor(room, 400, 1200), online: true }],
        ];
        for (const [id, model, properties] of sensors) {
          if (full()) break;
          add(id, model, properties, { id: room, relationship: 'hasDevice' });
        }
      }
    }
  }
  return { twins, relationships };
}
