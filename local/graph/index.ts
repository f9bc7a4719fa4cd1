// The twin graph view: the live page of `npm run local -- --follow` and `npm run explore`, and the --graph export.
export { type ExplorerClient, type ExplorerOptions, handleAdtRequest, maxQueryRows, passThrough, readOnlyMessage } from './adtProxy';
export { DeadLetterFolder, deadLetterListing } from './deadLetterList';
export { type Derivation, type Derivations, derivationsOf, rollupRulesOf } from './derivations';
export {
  type GraphExportInput,
  type GraphFormat,
  graphFormatOf,
  graphFormats,
  renderGraphExport,
  scenarioGraphView,
  writeGraphExport,
} from './exportGraph';
export { buildGraphView, type GraphView, type PropertyView, type RelationshipView, type TwinView, type WireDocument } from './graphView';
export { type GraphSource, type GraphUpdate, LiveGraph } from './liveGraph';
export { type DeadLetterView, type PageData, renderPage } from './page';
export { type GraphServer, type GraphServerOptions, isLoopbackHost, startGraphServer } from './server';
export { querySource, storeSource } from './sources';
export { toDot, toMermaid } from './textExports';
