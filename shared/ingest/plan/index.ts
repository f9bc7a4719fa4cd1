export { createIngestPlanner, type IngestPlan, type IngestPlanner, planIngest, type PlannedTelemetry } from './planner';
