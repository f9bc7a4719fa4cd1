// A scenario's twin graph checked against its models before anything is seeded: a twin whose model
// is not among them makes ADT answer only "Invalid twin specified" (the cause hides in `details`),
// a misspelt relationship name "Invalid relationship". Here each names the file, line, twin and
// model, with the closest known names.
import { didYouMean } from '../../shared/common';
import type { ModelIndex } from '../../shared/dtdl';
import { didYouMeanModel } from '../../shared/rollup';
import type { ImportFile } from './importFile';

export function checkGraphAgainstModels(graph: ImportFile, index: ModelIndex, fileName: string): string[] {
  const problems: string[] = [];
  const known = index.ids();
  const modelOf = new Map<string, string>();
  graph.twins.forEach((twin, i) => {
    const model = twin.$metadata.$model;
    modelOf.set(twin.$dtId, model);
    if (index.interface(model)) return;
    problems.push(
      `${fileName} line ${graph.lines.twins[i] ?? '?'}: twin '${twin.$dtId}' has model ${model}, which is not among the scenario's models${didYouMeanModel(model, known)}. ` +
        'Fix "$metadata": {"$model": …} or add the model to models/ (ADT would refuse it as "Invalid twin specified").',
    );
  });
  graph.relationships.forEach((rel, i) => {
    const where = `${fileName} line ${graph.lines.relationships[i] ?? '?'}: relationship '${rel.$relationshipId}' ${rel.$dtId} -[${rel.$relationshipName}]-> ${rel.$targetId}`;
    const source = modelOf.get(rel.$dtId);
    const view = source === undefined ? undefined : index.interface(source);
    if (source === undefined) problems.push(`${where}: no twin '${rel.$dtId}' in the Twins section; add it or fix $dtId.`);
    if (!modelOf.has(rel.$targetId)) problems.push(`${where}: no twin '${rel.$targetId}' in the Twins section; add it or fix $targetId.`);
    if (view && !view.relationships.has(rel.$relationshipName)) {
      problems.push(
        `${where}: "${rel.$relationshipName}" is not a relationship of ${view.id}${didYouMean(rel.$relationshipName, view.relationships.keys())}.`,
      );
    }
  });
  return problems;
}
