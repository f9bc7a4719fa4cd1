export { mapMessage, mappersFor, mapWith } from './mapMessage';
export type { Mapper } from './mapper';
export type { MappingContext } from './mappingContext';
export type { Filtered, FilterReason, MappingResult, TelemetryItem } from './mappingResult';
export { MODEL_RULE } from './messageMapping';
export { createTwinIdResolver, type TwinIdResolver, twinsFromRows } from './twinResolver';
