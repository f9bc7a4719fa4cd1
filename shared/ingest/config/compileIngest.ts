// Semantic checks and compilation of the schema-valid ingest section: templates, patterns, regexes,
// units and JSONata expressions are compiled here, once, so a mistake fails the load with its exact
// path. Problems are collected, never thrown one at a time: the user fixes the file in one go.

import { defaultBodyLimits, defaultDecodeOptions } from '../decode';
import { compileExpression } from './expression';
import type {
  CompiledIngest,
  CompiledLifecycle,
  CompiledMatch,
  CompiledPropertyMapping,
  CompiledRule,
  CompiledTelemetryMapping,
  ConnectionStateConfig,
  ConnectionStatePolicy,
  IngestConfig,
  IngestOptions,
  LifecycleConfig,
  MatchConfig,
  NamedProperty,
  PropertyMappingConfig,
  RuleConfig,
  Scalar,
  TelemetryMappingConfig,
  TwinIdConfig,
  TwinIdStrategy,
  UnknownTwinPolicy,
} from './ingestConfig';
import { compileMatcher, type Matcher } from './pattern';
import { type CompiledSource, compileSource } from './source';
import { statefulOptionProblems, statefulRuleProblems } from './statefulTransform';
import { type CompiledTemplate, compileTemplate } from './template';
import { compileTransform } from './transforms';

/** Every ingest option's default, in one place (decoding's own defaults are decode's, read from there). */
export const defaultIngestOptions: Readonly<Omit<IngestOptions, 'sourceTime'>> = {
  deviceIdProperties: [...defaultDecodeOptions.deviceIdProperties],
  moduleIdProperties: [...defaultDecodeOptions.moduleIdProperties],
  emitSourceTime: true,
  maxTwinsPerMessage: 10,
  maxParallelTwins: 16,
  outOfRange: 'drop',
  unmatched: 'model',
  maxDecodedBytes: defaultBodyLimits.maxDecodedBytes,
  maxBodyDepth: defaultBodyLimits.maxDepth,
  maxPropertiesPerMessage: 500,
  maxClockSkewSeconds: 300,
  futureSourceTime: 'clamp',
};

export const defaultQueryCache = { ttlSeconds: 300, negativeTtlSeconds: 60, maxEntries: 10000 } as const;

/** Collects issues while compiling; each helper turns a compile result into a value or a recorded issue. */
class Issues {
  readonly list: string[] = [];
  add(path: string, problem: string): void {
    this.list.push(`${path}: ${problem}`);
  }
  template(path: string, text: string): CompiledTemplate | undefined {
    const compiled = compileTemplate(text);
    if (Array.isArray(compiled)) {
      compiled.forEach((problem) => this.add(path, problem));
      return undefined;
    }
    return compiled;
  }
  source(path: string, text: string): CompiledSource | undefined {
    const compiled = compileSource(text);
    if (typeof compiled === 'string') {
      this.add(path, compiled);
      return undefined;
    }
    return compiled;
  }
  matcher(path: string, patterns: string | string[] | undefined): Matcher | undefined {
    if (patterns === undefined) return undefined;
    const compiled = compileMatcher(patterns);
    if (Array.isArray(compiled)) {
      compiled.forEach((problem) => this.add(path, problem));
      return undefined;
    }
    return compiled;
  }
}

/** Compiles the ingest section; `issues` lists every problem as `path: problem` (empty when valid). */
export function compileIngest(config: IngestConfig): { ingest: CompiledIngest; issues: string[] } {
  const issues = new Issues();
  const ingest = compileIngestSection(config, issues);
  return { ingest, issues: issues.list };
}

function compileIngestSection(config: IngestConfig, issues: Issues): CompiledIngest {
  const base = 'ingest';
  const optionsConfig = config.options ?? {};
  const options: IngestOptions = {
    ...defaultIngestOptions,
    ...stripUndefined({ ...optionsConfig, sourceTime: undefined }),
  } as IngestOptions;
  if (optionsConfig.sourceTime !== undefined) {
    const source = issues.source(`${base}.options.sourceTime`, optionsConfig.sourceTime);
    if (source) options.sourceTime = source;
  }
  const twinId = compileTwinId(config.twinId ?? '{deviceId}', `${base}.twinId`, issues) ?? fallbackTwinId();
  const unknownTwin = compileUnknownTwin(config, issues);
  const rules: CompiledRule[] = [];
  const names = new Map<string, number>();
  (config.rules ?? []).forEach((rule, index) => {
    const where = joinPath(`${base}.rules`, index);
    const seen = names.get(rule.name);
    if (seen !== undefined) issues.add(`${where}.name`, `duplicate rule name "${rule.name}" (also ingest.rules[${seen}])`);
    names.set(rule.name, index);
    rules.push(compileRule(rule, where, issues));
  });
  for (const problem of statefulOptionProblems(options, rules)) issues.list.push(problem);
  return {
    options,
    twinId,
    unknownTwin,
    rules,
    connectionState: compileConnectionState(config.connectionState),
    reportedProperties: { twinChangeEvents: 'map', digitalTwinChangeEvents: 'map', ...stripUndefined(config.reportedProperties ?? {}) },
    lifecycle: compileLifecycle(config.lifecycle, issues),
  };
}

function compileLifecycle(config: LifecycleConfig = {}, issues: Issues): CompiledLifecycle {
  const onDelete = config.onDelete ?? 'delete';
  const decommission = config.decommission ?? {};
  if (onDelete === 'decommission' && Object.keys(decommission).length === 0)
    issues.add(
      'ingest.lifecycle.decommission',
      'is required when onDelete is "decommission" (the properties to write, e.g. { status: retired })',
    );
  if (onDelete !== 'decommission' && config.decommission !== undefined)
    issues.add('ingest.lifecycle.decommission', 'only applies together with onDelete: decommission');
  const compiled: CompiledLifecycle = { action: config.action ?? 'map', onDelete, decommission, models: [], initialProperties: [] };
  (config.models ?? []).forEach((entry, index) => {
    const where = `ingest.lifecycle.models[${index}]`;
    const deviceId = issues.matcher(`${where}.deviceId`, entry.deviceId);
    const tags = Object.entries(entry.tags ?? {}).map(([name, value]) => ({ name, value: String(value) }));
    compiled.models.push({ ...(deviceId && { deviceId }), tags, modelId: entry.modelId });
  });
  for (const [property, text] of Object.entries(config.initialProperties ?? {})) {
    const source = issues.source(`ingest.lifecycle.initialProperties.${property}`, text);
    if (source) compiled.initialProperties.push({ property, source });
  }
  if (config.parent) {
    const twinId = issues.template('ingest.lifecycle.parent.twinId', config.parent.twinId);
    if (twinId) compiled.parent = { twinId, relationship: config.parent.relationship };
  }
  return compiled;
}

/** Zero configuration: `connectionState` (and the companion `connectionStateSequence`) when the model declares them. */
export function compileConnectionState(config: ConnectionStateConfig = {}): ConnectionStatePolicy {
  const named = (name: string | undefined, fallback: string): NamedProperty => ({ name: name ?? fallback, configured: name !== undefined });
  const policy: ConnectionStatePolicy = {
    action: config.action ?? 'map',
    property: named(config.property, 'connectionState'),
    sequenceProperty: named(config.sequenceProperty, 'connectionStateSequence'),
  };
  if (config.connectedProperty !== undefined) policy.connectedProperty = config.connectedProperty;
  if (config.lastChangeProperty !== undefined) policy.lastChangeProperty = config.lastChangeProperty;
  return policy;
}

function fallbackTwinId(): TwinIdStrategy {
  const template = compileTemplate('{deviceId}');
  if (Array.isArray(template)) throw new Error('built-in template failed to compile');
  return { kind: 'template', template };
}

function compileTwinId(config: TwinIdConfig | string, where: string, issues: Issues): TwinIdStrategy | undefined {
  if (typeof config === 'string') {
    const template = issues.template(where, config);
    return template && { kind: 'template', template };
  }
  const kinds = (['template', 'table', 'query'] as const).filter((k) => config[k] !== undefined);
  if (kinds.length !== 1) {
    issues.add(
      where,
      kinds.length === 0 ? 'set one of template, table or query' : `set only one of template, table or query (found ${kinds.join(', ')})`,
    );
    return undefined;
  }
  const misplaced = (field: 'key' | 'fallback' | 'cache', owner: string): void => {
    if (config[field] !== undefined) issues.add(`${where}.${field}`, `only applies together with ${owner}`);
  };
  if (config.template !== undefined) {
    misplaced('key', 'table');
    misplaced('cache', 'query');
    const template = issues.template(`${where}.template`, config.template);
    // e.g. "{properties.twinId}" (an IoT Hub enrichment) falling back to "{deviceId}" while the tag is missing.
    const fallback = config.fallback === undefined ? undefined : issues.template(`${where}.fallback`, config.fallback);
    return template && { kind: 'template', template, ...(fallback && { fallback }) };
  }
  if (config.table !== undefined) {
    misplaced('cache', 'query');
    const key = issues.template(`${where}.key`, config.key ?? '{deviceId}');
    const fallback = config.fallback === undefined ? undefined : issues.template(`${where}.fallback`, config.fallback);
    if (!key) return undefined;
    return { kind: 'table', key, table: new Map(Object.entries(config.table)), ...(fallback && { fallback }) };
  }
  misplaced('key', 'table');
  misplaced('fallback', 'table or template');
  const query = issues.template(`${where}.query`, config.query ?? '');
  if (query && !/^\s*select\b/i.test(query.text)) issues.add(`${where}.query`, 'must be an ADT query starting with SELECT');
  const cache = { ...defaultQueryCache, ...stripUndefined(config.cache ?? {}) };
  return (
    query && {
      kind: 'query',
      query,
      cache: { ttlMs: cache.ttlSeconds * 1000, negativeTtlMs: cache.negativeTtlSeconds * 1000, maxEntries: cache.maxEntries },
    }
  );
}

function compileUnknownTwin(config: IngestConfig, issues: Issues): UnknownTwinPolicy {
  const unknown = config.unknownTwin;
  if (!unknown) return { action: 'model', properties: {} };
  if (unknown.action === 'create' && unknown.modelId === undefined) {
    issues.add('ingest.unknownTwin.modelId', 'is required when action is "create" (the model of the twins to create)');
  }
  return {
    action: unknown.action,
    properties: unknown.properties ?? {},
    ...(unknown.modelId !== undefined && { modelId: unknown.modelId }),
  };
}

function compileRule(rule: RuleConfig, where: string, issues: Issues): CompiledRule {
  const match = compileMatch(rule.match ?? {}, `${where}.match`, issues);
  const twinId = rule.twinId === undefined ? undefined : compileTwinId(rule.twinId, `${where}.twinId`, issues);
  const sourceTime = rule.sourceTime === undefined ? undefined : issues.source(`${where}.sourceTime`, rule.sourceTime);
  const properties: CompiledPropertyMapping[] = [];
  const targets = new Map<string, number>();
  (rule.properties ?? []).forEach((mapping, index) => {
    const mappingWhere = joinPath(`${where}.properties`, index);
    const compiled = compilePropertyMapping(mapping, rule, mappingWhere, issues);
    if (!compiled) return;
    const key = `${compiled.target.component ?? ''}/${compiled.target.property}`;
    const seen = targets.get(key);
    if (seen !== undefined) issues.add(`${mappingWhere}.target`, `maps the same twin property as ${where}.properties[${seen}]`);
    targets.set(key, index);
    properties.push(compiled);
  });
  for (const problem of statefulRuleProblems(properties)) issues.list.push(problem);
  const telemetry = (rule.telemetry ?? []).flatMap((mapping, index) => {
    const compiled = compileTelemetry(mapping, rule, joinPath(`${where}.telemetry`, index), issues);
    return compiled ? [compiled] : [];
  });
  if (!rule.properties?.length && !rule.telemetry?.length) issues.add(where, 'maps nothing; add properties or telemetry');
  return {
    name: rule.name,
    where,
    match,
    ...(twinId && { twinId }),
    ...(sourceTime && { sourceTime }),
    properties,
    telemetry,
    final: rule.final ?? false,
  };
}

function compileMatch(match: MatchConfig, where: string, issues: Issues): CompiledMatch {
  const compiled: CompiledMatch = { properties: [] };
  for (const field of ['modelId', 'deviceId', 'moduleId', 'component'] as const) {
    const matcher = issues.matcher(`${where}.${field}`, match[field]);
    if (matcher) compiled[field] = matcher;
  }
  if (match.source !== undefined) compiled.source = new Set(Array.isArray(match.source) ? match.source : [match.source]);
  for (const [name, expected] of Object.entries(match.properties ?? {})) {
    const allowed: Scalar[] = Array.isArray(expected) ? expected : [expected];
    // Property values arrive as strings or JSON-parsed scalars; compare on their text form.
    const texts = new Set(allowed.map(String));
    compiled.properties.push({ name, accepts: (value) => value !== undefined && value !== null && texts.has(String(value)) });
  }
  if (match.when !== undefined) {
    const when = compileExpression(match.when);
    if (typeof when === 'string') issues.add(`${where}.when`, when);
    else compiled.when = when;
  }
  return compiled;
}

function compilePropertyMapping(
  mapping: PropertyMappingConfig,
  rule: RuleConfig,
  where: string,
  issues: Issues,
): CompiledPropertyMapping | undefined {
  const [first, second] = mapping.target.split('/') as [string, string | undefined];
  const property = second ?? first;
  const pathComponent = second === undefined ? undefined : first;
  if (pathComponent !== undefined && mapping.component !== undefined && pathComponent !== mapping.component) {
    issues.add(`${where}.component`, `conflicts with the component "${pathComponent}" in target "${mapping.target}"`);
  }
  const component = pathComponent ?? mapping.component ?? rule.component;
  // Without a source the body field named like the target is read (unless an expression computes the value from the body).
  const sourceText = mapping.source ?? (mapping.transform?.expression !== undefined ? '$body' : property);
  const source = issues.source(`${where}.source`, sourceText);
  const transform = compileTransform(mapping.transform);
  if (Array.isArray(transform)) {
    transform.forEach(({ field, error }) => issues.add(`${where}.transform.${field}`, error));
  }
  const range = mapping.range;
  if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
    issues.add(`${where}.range`, `min (${range.min}) is greater than max (${range.max})`);
  }
  if (range && range.min === undefined && range.max === undefined) issues.add(`${where}.range`, 'set min, max or both');
  if (!source || Array.isArray(transform)) return undefined;
  return {
    where,
    target: { property, ...(component !== undefined && { component }) },
    source,
    transform,
    ...(range && { range: stripUndefined({ min: range.min, max: range.max, action: range.action }) }),
    onMissing: mapping.onMissing ?? 'skip',
    ...(mapping.deadband !== undefined && { deadband: mapping.deadband }),
    ...(mapping.maxAgeSeconds !== undefined && { maxAgeSeconds: mapping.maxAgeSeconds }),
  } as CompiledPropertyMapping;
}

function compileTelemetry(
  mapping: TelemetryMappingConfig,
  rule: RuleConfig,
  where: string,
  issues: Issues,
): CompiledTelemetryMapping | undefined {
  const kinds = (['fields', 'all', 'expression'] as const).filter((k) => mapping[k] !== undefined && mapping[k] !== false);
  if (kinds.length !== 1) {
    issues.add(
      where,
      kinds.length === 0
        ? 'set one of fields, all: true or expression'
        : `set only one of fields, all or expression (found ${kinds.join(', ')})`,
    );
    return undefined;
  }
  const component = mapping.component ?? rule.component;
  const base = { where, ...(component !== undefined && { component }) };
  if (mapping.all) return { ...base, selection: { kind: 'all' } };
  if (mapping.expression !== undefined) {
    const expression = compileExpression(mapping.expression);
    if (typeof expression === 'string') {
      issues.add(`${where}.expression`, expression);
      return undefined;
    }
    return { ...base, selection: { kind: 'expression', expression } };
  }
  const fields: Array<{ name: string; source: CompiledSource }> = [];
  (mapping.fields ?? []).forEach((text, index) => {
    const source = issues.source(joinPath(`${where}.fields`, index), text);
    if (source) fields.push({ name: fieldName(source), source });
  });
  return { ...base, selection: { kind: 'fields', fields } };
}

/** Telemetry field name: the last body path segment, or the property name after `$properties.`. */
function fieldName(source: CompiledSource): string {
  const last = source.bodyPath?.[source.bodyPath.length - 1];
  if (typeof last === 'string') return last;
  const dot = source.text.lastIndexOf('.');
  return (dot >= 0 ? source.text.slice(dot + 1) : source.text).replace(/^\$/, '');
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `ingest.rules` + 2 → `ingest.rules[2]`; `a` + `b` → `a.b`; odd names are quoted. */
function joinPath(base: string, child: string | number): string {
  if (typeof child === 'number') return `${base}[${child}]`;
  return /^[A-Za-z_$][\w$]*$/.test(child) ? (base === '' ? child : `${base}.${child}`) : `${base}[${JSON.stringify(child)}]`;
}
