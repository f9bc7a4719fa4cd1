// The two timers' schedules are app settings (docs/OPERATIONS.md, "Timers when idle"): main.bicep
// parameters whose defaults are the functions' own defaults, passed through to the app settings.
import { drainSchedule } from '../../functions/drainDeferredValues';
import { sweepSchedule } from '../../functions/sweepConditions';
import { settings } from '../../shared/settings';
import { evaluateArm } from './support/armExpression';
import { type ArmParameterFile, loadCompiled, moduleOf, moduleParam } from './support/compiledTemplates';

const main = () => loadCompiled('main.json');

it.each([
  ['drainDeferredSchedule', settings.drainDeferredSchedule.name, drainSchedule],
  ['sweepConditionsSchedule', settings.sweepConditionsSchedule.name, sweepSchedule],
])('%s: a main.bicep parameter defaulting to the function default, set as app setting %s', (parameter, setting, fallback) => {
  expect(main().parameters?.[parameter]).toMatchObject({ type: 'string', defaultValue: fallback });
  expect(loadCompiled<ArmParameterFile>('main.parameters.json').parameters[parameter]?.value).toBe(fallback);
  const appSettings = moduleOf(main(), 'app-settings');
  expect(moduleParam(appSettings.deployment, parameter)).toBe(JSON.stringify({ value: `[parameters('${parameter}')]` }));
  const common = (appSettings.template.variables as Record<string, Record<string, unknown>>).common ?? {};
  expect(common[setting]).toBe(`[parameters('${parameter}')]`);
});

it.each([
  ['drainDeferredTimer', 'AzureWebJobs.drainDeferredValues.Disabled'],
  ['sweepConditionsTimer', 'AzureWebJobs.sweepConditions.Disabled'],
])('%s: on by default, false sets %s (kept across provisions: Bicep owns every app setting)', (parameter, setting) => {
  expect(main().parameters?.[parameter]).toMatchObject({ type: 'bool', defaultValue: true });
  const appSettings = moduleOf(main(), 'app-settings');
  expect(moduleParam(appSettings.deployment, parameter)).toBe(JSON.stringify({ value: `[parameters('${parameter}')]` }));
  const common = (appSettings.template.variables as Record<string, Record<string, unknown>>).common ?? {};
  expect(common[setting]).toBe(`[string(not(parameters('${parameter}')))]`);
  expect(evaluateArm(String(common[setting]), appSettings.template, { [parameter]: false })).toBe('true');
  expect(evaluateArm(String(common[setting]), appSettings.template, { [parameter]: true })).toBe('false');
});
