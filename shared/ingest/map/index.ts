export type { Lookups, PreparedMessage } from './lookups';
export type { LookupSources } from './lookupSources';
export { mapMessage, mappersFor, mapPrepared, prepareBatch } from './mapperChain';
export type { Filtered, FilterReason, Mapper, MappingResult, TelemetryItem } from './mappingResult';
export { MODEL_RULE } from './resultBuilder';
export { type RuleSelection, selectRulesEvaluatingWhen } from './selectRules';
export { createTwinIdResolver, type TwinIdResolver, twinsFromRows } from './twinResolver';
