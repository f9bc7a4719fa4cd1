import type { RollupRule } from '../../../shared/rollup';

export const M = {
  thermostat: 'dtmi:test:Thermostat;1',
  smartThermostat: 'dtmi:test:SmartThermostat;1',
  room: 'dtmi:test:Room;1',
  floor: 'dtmi:test:Floor;1',
  building: 'dtmi:test:Building;1',
} as const;

/** thermostats → room (avg) → floor (max, avg) → building (max). */
export const buildingRules: RollupRule[] = [
  {
    name: 'room',
    parentModel: M.room,
    relationships: ['contains'],
    childModel: M.thermostat,
    properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
  },
  {
    name: 'floor',
    parentModel: M.floor,
    relationships: ['contains'],
    childModel: M.room,
    properties: { maxTemperature: { aggregate: 'max', of: 'temperature' }, avgTemperature: { aggregate: 'avg', of: 'temperature' } },
  },
  {
    name: 'building',
    parentModel: M.building,
    relationships: ['hasFloor'],
    childModel: M.floor,
    properties: { maxTemperature: { aggregate: 'max', of: 'maxTemperature' } },
  },
];
