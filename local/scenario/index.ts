// A scenario directory (models, twin graph in import-job format, pipeline configuration, telemetry,
// device profiles) and the repository root it is found from: shared by the runner, the simulator,
// the emulator, the mapping preview, seeding and replay. Loading checks it against its models.
export { type ImportedRelationship, type ImportedTwin, type ImportFile, parseImportFile } from './importFile';
export { projectRoot } from './projectRoot';
export { defaultScenarioDirectory, loadScenario, type LoadScenarioOptions, readTelemetryFile, type Scenario } from './scenario';
export { checkScenario, ScenarioError } from './scenarioCheck';
