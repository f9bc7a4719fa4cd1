// DTDL model index and validators shared by the ADT emulator and the ingest gateway (pure, CommonJS-safe).

export { buildModelIndex } from './modelIndex';
export { validateValue, describeValue } from './validateValue';
export { validateTwinDocument, validateComponentDocument, validateRelationship, missingModelMessage } from './validateTwin';
export { describeSchema } from './schema';
export type * from './types';
