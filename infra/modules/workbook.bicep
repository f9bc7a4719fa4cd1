// An Azure Monitor workbook with the pipeline's numbers, over the metrics shared/telemetry emits
// (Application Insights customMetrics, names as in shared/telemetry/names.ts; a test keeps them in
// step) and the Functions host's requests.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Application Insights component the function app sends to.')
param appInsightsName string

@description('Workbook title.')
param displayName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

func chart(title string, query string, visualization string) object => {
  type: 3
  name: title
  content: {
    version: 'KqlItem/1.0'
    title: title
    query: query
    size: 0
    queryType: 0
    resourceType: 'microsoft.insights/components'
    visualization: visualization
    timeContext: { durationMs: 86400000 }
  }
}

var content = {
  version: 'Notebook/1.0'
  fallbackResourceIds: [appInsights.id]
  items: [
    {
      type: 1
      name: 'intro'
      content: { json: '## ADT twin pipeline\nIngest outcomes, lag, ADT throttling, propagation and reconcile. Numbers come from the functions\' OpenTelemetry metrics; failures from the host\'s requests.' }
    }
    chart('Messages by outcome', '''
customMetrics
| where name == 'pipeline.ingest.messages'
| extend outcome = tostring(customDimensions.outcome)
| summarize messages = sum(valueSum) by outcome, bin(timestamp, 5m)
| render timechart
''', 'timechart')
    chart('Dead letters by reason', '''
customMetrics
| where name == 'pipeline.ingest.messages' and tostring(customDimensions.outcome) == 'dead-lettered'
| summarize deadLettered = sum(valueSum) by reason = tostring(customDimensions.reason)
| order by deadLettered desc
''', 'table')
    chart('Ingest lag (seconds, max and average per 5 min)', '''
customMetrics
| where name == 'pipeline.ingest.lag'
| summarize maxLag = max(valueMax), avgLag = sum(valueSum) / sum(valueCount) by bin(timestamp, 5m)
| render timechart
''', 'timechart')
    chart('Twins patched, values coalesced, stale values skipped', '''
customMetrics
| where name in ('pipeline.ingest.twins_patched', 'pipeline.ingest.values_coalesced', 'pipeline.ingest.stale_skipped')
| summarize total = sum(valueSum) by name, bin(timestamp, 5m)
| render timechart
''', 'timechart')
    chart('ADT 429s and retries', '''
customMetrics
| where name in ('pipeline.adt.throttled', 'pipeline.adt.retries')
| summarize total = sum(valueSum) by name, bin(timestamp, 5m)
| render timechart
''', 'timechart')
    chart('Propagation: writes, unchanged, hop-limited, dead-lettered', '''
customMetrics
| where name in ('pipeline.propagate.writes', 'pipeline.propagate.unchanged', 'pipeline.propagate.hop_limited', 'pipeline.propagate.dead_lettered')
| summarize total = sum(valueSum) by name, bin(timestamp, 5m)
| render timechart
''', 'timechart')
    chart('Reconcile: parents by result', '''
customMetrics
| where name == 'pipeline.reconcile.parents'
| summarize parents = sum(valueSum) by result = tostring(customDimensions.result), bin(timestamp, 1d)
''', 'table')
    chart('Failed invocations by function', '''
requests
| where success == false
| summarize failed = count() by operation_Name, bin(timestamp, 5m)
| render timechart
''', 'timechart')
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; stable per component, so redeploying updates it.
  name: guid(appInsights.id, 'adt-twin-pipeline-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: string(content)
  }
}

output workbookName string = workbook.name
