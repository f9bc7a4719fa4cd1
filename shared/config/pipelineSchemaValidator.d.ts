// The types of pipelineSchemaValidator.js, which scripts/generate-config-validator.cjs generates
// from pipeline.schema.json and the roll-up module's rollups.schema.json (Ajv standalone code).
import type { ValidateFunction } from 'ajv';

declare const validatePipelineSchema: ValidateFunction;
export default validatePipelineSchema;
