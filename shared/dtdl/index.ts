// DTDL model index and validators shared by the ADT emulator and ingest (pure, CommonJS-safe).

export { isRecord, type JsonRecord, languageMap, listOf, stringOf, typesOf } from './json';
export { buildModelIndex } from './modelIndex';
export { describeSchema } from './schema';
export type * from './types';
export { missingModelMessage, validateComponentDocument, validateRelationship, validateTwinDocument } from './validateTwin';
export { describeValue, validateValue } from './validateValue';
