// Alerts on the pipeline's own numbers (the OpenTelemetry metrics shared/telemetry emits, which
// Azure Monitor stores in Application Insights' customMetrics under the same names) and on the
// Functions host's failed invocations. Log search alerts over the Application Insights component,
// every 5 minutes over the last 5 minutes, to one action group.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Application Insights component the function app sends to.')
param appInsightsName string

@description('Prefix of the alert and action group names.')
param namePrefix string

@description('Email address notified; empty = an action group without receivers (add them in the portal).')
param alertEmail string

@description('Ingest lag in seconds above which the lag alert fires.')
param lagAlertSeconds int

@description('ADT 429s per 5 minutes above which the throttling alert fires.')
param throttledAlertThreshold int

@description('Seconds the longest-waiting deferred twin may wait before the deferred-age alert fires.')
param deferredAgeAlertSeconds int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-pipeline'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'adtpipeline'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [{ name: 'operator', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

// name, severity, what it means, the query, the measured column and the threshold it must exceed.
var rules = [
  {
    name: 'dead-letters'
    severity: 2
    description: 'Messages or change notifications were dead-lettered in the last 5 minutes: read the dead-letter documents (reason, detail), fix the cause, replay them (npm run replay-dead-letters).'
    query: '''
customMetrics
| where name == 'pipeline.ingest.messages' and tostring(customDimensions.outcome) == 'dead-lettered'
    or name == 'pipeline.propagate.dead_lettered'
| summarize deadLettered = sum(valueSum)
'''
    measure: 'deadLettered'
    threshold: 0
  }
  {
    name: 'ingest-lag'
    severity: 2
    description: 'A message took longer than the threshold from IoT Hub to its twin: the function is behind (throttling, too few instances, a slow ADT).'
    query: '''
customMetrics
| where name == 'pipeline.ingest.lag'
| summarize lagSeconds = max(valueMax)
'''
    measure: 'lagSeconds'
    threshold: lagAlertSeconds
  }
  {
    name: 'deferred-age'
    severity: 2
    description: 'A deferred twin value waited longer than the threshold for its ADT write: more distinct twins change per second than ADT accepts (the pipeline keeps up by deferring; each twin is refreshed about every twins / patches-per-second seconds). Raise the ADT patch limit with support, add deadbands, or map fewer properties (docs/OPERATIONS.md).'
    query: '''
customMetrics
| where name == 'pipeline.ingest.deferred_oldest_age'
| summarize oldestSeconds = max(valueMax)
'''
    measure: 'oldestSeconds'
    threshold: deferredAgeAlertSeconds
  }
  {
    name: 'adt-throttling'
    severity: 3
    description: 'ADT answered 429 more often than the threshold: the instance is at its rate limits (raise them with support, or lower ADT_PATCHES_PER_SECOND / instances).'
    query: '''
customMetrics
| where name == 'pipeline.adt.throttled'
| summarize throttled = sum(valueSum)
'''
    measure: 'throttled'
    threshold: throttledAlertThreshold
  }
  {
    name: 'failed-invocations'
    severity: 1
    description: 'Function invocations failed (the host redelivers ingest batches; propagate events are retried by Event Grid): ADT unavailable past the deadline, or dead letters that cannot be written.'
    query: '''
requests
| where success == false
| summarize failed = count()
'''
    measure: 'failed'
    threshold: 0
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [
  for rule in rules: {
    name: '${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: '${namePrefix} ${rule.name}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [appInsights.id]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT5M'
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Total'
            metricMeasureColumn: rule.measure
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
          }
        ]
      }
      autoMitigate: true
      actions: { actionGroups: [actionGroup.id] }
    }
  }
]

output actionGroupName string = actionGroup.name
output alertNames array = [for (rule, i) in rules: alertRules[i].name]
