// What the emulator loads at start: --models <dir>, --scenario <dir> (its models/ and graph.ndjson) and
// --import <file>, resolved to one models folder and a list of import files, in that order.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { EmulatorOptions } from './options';

export interface StartupInputs {
  modelsDir: string | undefined;
  importFiles: string[];
}

export function startupInputs(options: Pick<EmulatorOptions, 'modelsDir' | 'scenarioDir' | 'importFile'>): StartupInputs {
  const importFiles: string[] = [];
  let modelsDir = options.modelsDir;
  if (options.scenarioDir !== undefined) {
    const dir = options.scenarioDir;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new Error(
        `Scenario folder ${dir} does not exist. A scenario holds models/ (DTDL) and graph.ndjson (import-job format), e.g. local/scenarios/building.`,
      );
    }
    const scenarioModels = join(dir, 'models');
    if (modelsDir !== undefined && existsSync(scenarioModels)) {
      throw new Error(`Both --models ${modelsDir} and --scenario ${dir} (which has models/) were given. Pass one of them.`);
    }
    if (existsSync(scenarioModels)) modelsDir = scenarioModels;
    const graph = join(dir, 'graph.ndjson');
    if (existsSync(graph)) importFiles.push(graph);
    if (modelsDir === undefined && importFiles.length === 0)
      throw new Error(`Scenario folder ${dir} has neither models/ nor graph.ndjson.`);
  }
  if (options.importFile !== undefined) importFiles.push(options.importFile);
  return { modelsDir, importFiles };
}

export function readImportFile(file: string): string {
  if (!existsSync(file))
    throw new Error(
      `Import file ${file} does not exist. Pass an ADT import-job .ndjson file (Header, Models, Twins, Relationships sections).`,
    );
  return readFileSync(file, 'utf8');
}
