// Alerts and the workbook query the metric names the code emits (shared/telemetry/names.ts): a
// renamed instrument must break this test, not silently empty a chart or mute an alert.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { metricNames } from '../../shared/telemetry';
import { type ArmTemplate, compiledDir, loadCompiled, moduleOf, moduleParam, resourcesOf } from './support/compiledTemplates';

const emitted = new Set<string>(Object.values(metricNames));
const main = (): ArmTemplate => loadCompiled('main.json');
const namesIn = (text: string): string[] => [...new Set(text.match(/pipeline\.[a-z_]+(?:\.[a-z_]+)+/g) ?? [])];

interface AlertRule {
  name: string;
  query: string;
  measure: string;
  threshold: unknown;
}

describe('alerts', () => {
  const alerts = () => moduleOf(main(), 'alerts');

  it('are on by default, with their thresholds from main.bicep params', () => {
    const { deployment } = alerts();
    expect(main().parameters?.alerts).toMatchObject({ type: 'bool', defaultValue: true });
    expect(deployment.condition).toBe("[parameters('alerts')]");
    expect(moduleParam(deployment, 'lagAlertSeconds')).toContain("parameters('lagAlertSeconds')");
    expect(moduleParam(deployment, 'throttledAlertThreshold')).toContain("parameters('throttledAlertThreshold')");
    expect(moduleParam(deployment, 'deferredAgeAlertSeconds')).toContain("parameters('deferredAgeAlertSeconds')");
    expect(main().parameters?.deferredAgeAlertSeconds).toMatchObject({ type: 'int', defaultValue: 900 });
    expect(moduleParam(deployment, 'alertEmail')).toContain("parameters('alertEmail')");
  });

  it('cover dead letters, lag, deferred age, 429s and failed invocations, over the names the code emits', () => {
    const rules = alerts().template.variables?.rules as AlertRule[];
    expect(rules.map((r) => r.name)).toEqual(['dead-letters', 'ingest-lag', 'deferred-age', 'adt-throttling', 'failed-invocations']);
    const byName = Object.fromEntries(rules.map((r) => [r.name, r]));
    expect(namesIn(byName['dead-letters']?.query ?? '').sort()).toEqual(
      [metricNames.ingestMessages, metricNames.propagateDeadLettered].sort(),
    );
    expect(byName['dead-letters']?.query).toContain("outcome) == 'dead-lettered'");
    expect(namesIn(byName['ingest-lag']?.query ?? '')).toEqual([metricNames.ingestLag]);
    expect(byName['ingest-lag']?.threshold).toBe("[parameters('lagAlertSeconds')]");
    expect(namesIn(byName['adt-throttling']?.query ?? '')).toEqual([metricNames.adtThrottled]);
    expect(namesIn(byName['deferred-age']?.query ?? '')).toEqual([metricNames.ingestDeferredOldestAge]);
    expect(byName['deferred-age']?.threshold).toBe("[parameters('deferredAgeAlertSeconds')]");
    expect(byName['failed-invocations']?.query).toMatch(/requests\s*\|\s*where success == false/);
    // Each query yields the column the rule measures.
    for (const rule of rules) expect(rule.query).toContain(`${rule.measure} =`);
  });

  it('evaluate the last 5 minutes every 5 minutes, on Application Insights, to the action group', () => {
    const { template } = alerts();
    const rule = resourcesOf(template).find((r) => r.type === 'Microsoft.Insights/scheduledQueryRules');
    expect(rule?.copy).toMatchObject({ count: "[length(variables('rules'))]" });
    expect(rule?.properties).toMatchObject({
      evaluationFrequency: 'PT5M',
      windowSize: 'PT5M',
      scopes: ["[resourceId('Microsoft.Insights/components', parameters('appInsightsName'))]"],
    });
    expect(JSON.stringify(rule?.properties)).toContain('Microsoft.Insights/actionGroups');
    const group = resourcesOf(template).find((r) => r.type === 'Microsoft.Insights/actionGroups');
    expect(JSON.stringify(group?.properties)).toContain("empty(parameters('alertEmail'))");
  });
});

describe('workbook', () => {
  it('charts only metrics the code emits, and the ones operators need', () => {
    const { deployment } = moduleOf(main(), 'workbook');
    expect(deployment.condition).toBe("[parameters('alerts')]");
    const text = readFileSync(join(compiledDir, 'modules', 'workbook.json'), 'utf8');
    const used = namesIn(text);
    expect(used.filter((name) => !emitted.has(name))).toEqual([]);
    expect(used).toEqual(
      expect.arrayContaining([
        metricNames.ingestMessages,
        metricNames.ingestLag,
        metricNames.adtThrottled,
        metricNames.propagateWrites,
        metricNames.propagateHopLimited,
        metricNames.reconcileParents,
      ]),
    );
    const workbook = resourcesOf(loadCompiled('modules/workbook.json')).find((r) => r.type === 'Microsoft.Insights/workbooks');
    expect(workbook?.properties).toMatchObject({ category: 'workbook', serializedData: "[string(variables('content'))]" });
    expect(workbook?.kind).toBe('shared');
  });
});
