// Builds a ModelIndex from DTDL interface documents as uploaded to (or listed by) ADT.

import { isRecord, type JsonRecord, languageMap, listOf, stringOf, typesOf } from './json';
import { complexSchemaTypes, SchemaDefinition, SchemaResolver } from './schema';
import type { ComponentDef, InterfaceView, ModelIndex, PropertyDef, RelationshipDef, TelemetryDef } from './types';

interface RawInterface {
  raw: JsonRecord;
  /** Top-level interface whose document holds it (itself for top-level ones). */
  owner: string;
}

const contentKinds = ['Property', 'Telemetry', 'Component', 'Relationship', 'Command'] as const;
type ContentKind = (typeof contentKinds)[number];

/** Keys whose string values are references another interface must resolve. */
const referenceKeys = new Set(['extends', 'schema', 'elementSchema']);

export function buildModelIndex(docs: unknown[]): ModelIndex {
  return new DtdlModelIndex(docs);
}

class DtdlModelIndex implements ModelIndex {
  readonly problems: string[] = [];
  private readonly topLevel: string[] = [];
  private readonly interfaces = new Map<string, RawInterface>();
  private readonly schemaDefinitions = new Map<string, SchemaDefinition>();
  private readonly views = new Map<string, InterfaceView>();
  private readonly resolver: SchemaResolver;

  constructor(docs: unknown[]) {
    for (const doc of docs.flatMap((d) => listOf(d))) this.addTopLevel(doc);
    this.resolver = new SchemaResolver(this.schemaDefinitions);
  }

  ids(): string[] {
    return [...this.topLevel];
  }

  has(id: string): boolean {
    return this.interfaces.has(id);
  }

  interface(id: string): InterfaceView | undefined {
    return this.viewOf(id, new Set());
  }

  isOfModel(actual: string, target: string, exact = false): boolean {
    if (actual === target) return true;
    if (exact) return false;
    return this.interface(actual)?.extendsChain.includes(target) ?? false;
  }

  dependenciesOf(id: string): string[] {
    const entry = this.interfaces.get(id);
    if (!entry) return [];
    const found = new Set<string>();
    for (const ref of referencesIn(entry.raw)) {
      const owner = this.interfaces.get(ref)?.owner ?? this.schemaDefinitions.get(ref)?.owner;
      if (owner !== undefined && owner !== entry.owner) found.add(owner);
    }
    return [...found];
  }

  missingReferences(id: string): string[] {
    const missing = new Set<string>();
    const visited = new Set<string>();
    const visit = (current: string): void => {
      if (visited.has(current)) return;
      visited.add(current);
      const entry = this.interfaces.get(current);
      if (!entry) {
        missing.add(current);
        return;
      }
      for (const ref of referencesIn(entry.raw)) {
        if (this.interfaces.has(ref)) visit(ref);
        else if (!this.schemaDefinitions.has(ref) && ref.startsWith('dtmi:')) missing.add(ref);
      }
    };
    visit(id);
    return [...missing];
  }

  private addTopLevel(doc: unknown): void {
    if (!isRecord(doc)) {
      this.problems.push(`Skipped a document that is not a JSON object: ${JSON.stringify(doc)}`);
      return;
    }
    const id = stringOf(doc['@id']);
    if (id === undefined) {
      this.problems.push('Skipped an interface without an "@id"; every top-level interface needs a DTMI.');
      return;
    }
    if (this.interfaces.has(id)) {
      this.problems.push(`${id} is defined more than once; the first definition is used.`);
      return;
    }
    this.topLevel.push(id);
    this.collect(doc, id, id);
  }

  /** Registers the interface and every nested interface or reusable schema it defines. */
  private collect(raw: JsonRecord, id: string, owner: string): void {
    this.interfaces.set(id, { raw, owner });
    walk(raw, (node, isRoot) => {
      if (isRoot) return true;
      const types = typesOf(node);
      const nestedId = stringOf(node['@id']);
      if (types.includes('Interface')) {
        // Inline interfaces (component schemas, extends) are indexed on their own; see inlineInterfaceId.
        if (nestedId === undefined) return true;
        if (!this.interfaces.has(nestedId)) this.collect(node, nestedId, owner);
        return false;
      }
      if (nestedId !== undefined && types.some((t) => complexSchemaTypes.has(t))) {
        this.schemaDefinitions.set(nestedId, { raw: node, owner });
      }
      return true;
    });
  }

  private viewOf(id: string, building: Set<string>): InterfaceView | undefined {
    const cached = this.views.get(id);
    if (cached) return cached;
    const entry = this.interfaces.get(id);
    if (!entry || building.has(id)) return undefined;
    building.add(id);

    const view = {
      id,
      displayName: languageMap(entry.raw['displayName']),
      description: languageMap(entry.raw['description']),
      extendsChain: [] as string[],
      properties: new Map<string, PropertyDef>(),
      telemetry: new Map<string, TelemetryDef>(),
      components: new Map<string, ComponentDef>(),
      relationships: new Map<string, RelationshipDef>(),
      commands: new Set<string>(),
    };
    for (const content of listOf(entry.raw['contents'])) {
      if (isRecord(content)) this.addContent(view, content, id);
    }
    for (const parent of listOf(entry.raw['extends'])) {
      const parentId = this.referencedInterfaceId(parent, id, 'extends');
      if (parentId === undefined) continue;
      const parentView = this.viewOf(parentId, building);
      for (const ancestor of [parentId, ...(parentView?.extendsChain ?? [])]) {
        if (!view.extendsChain.includes(ancestor)) view.extendsChain.push(ancestor);
      }
      if (!parentView) continue;
      // DTDL forbids redefining an inherited name, so "own first" never hides a parent's definition.
      mergeMissing(view.properties, parentView.properties);
      mergeMissing(view.telemetry, parentView.telemetry);
      mergeMissing(view.components, parentView.components);
      mergeMissing(view.relationships, parentView.relationships);
      for (const command of parentView.commands) view.commands.add(command);
    }
    building.delete(id);
    this.views.set(id, view);
    return view;
  }

  private addContent(
    view: {
      properties: Map<string, PropertyDef>;
      telemetry: Map<string, TelemetryDef>;
      components: Map<string, ComponentDef>;
      relationships: Map<string, RelationshipDef>;
      commands: Set<string>;
    },
    content: JsonRecord,
    definedIn: string,
  ): void {
    const name = stringOf(content['name']);
    const types = typesOf(content);
    const kind = contentKinds.find((k: ContentKind) => types.includes(k));
    if (name === undefined || kind === undefined) {
      this.problems.push(`${definedIn} has a content element without a name or a known @type (${types.join(', ')}).`);
      return;
    }
    switch (kind) {
      case 'Property':
        view.properties.set(name, this.propertyDef(content, name, types, definedIn));
        return;
      case 'Telemetry':
        view.telemetry.set(name, {
          name,
          schema: this.resolver.resolve(content['schema']),
          semanticTypes: types.filter((t) => t !== 'Telemetry'),
          ...unitOf(content),
          definedIn,
        });
        return;
      case 'Component': {
        const interfaceId = this.referencedInterfaceId(content['schema'], definedIn, name);
        if (interfaceId !== undefined) view.components.set(name, { name, interfaceId, definedIn });
        return;
      }
      case 'Relationship':
        view.relationships.set(name, this.relationshipDef(content, name, definedIn));
        return;
      case 'Command':
        view.commands.add(name);
        return;
    }
  }

  private propertyDef(content: JsonRecord, name: string, types: string[], definedIn: string): PropertyDef {
    return {
      name,
      schema: this.resolver.resolve(content['schema']),
      writable: content['writable'] === true,
      semanticTypes: types.filter((t) => t !== 'Property'),
      ...unitOf(content),
      definedIn,
    };
  }

  private relationshipDef(content: JsonRecord, name: string, definedIn: string): RelationshipDef {
    const properties = new Map<string, PropertyDef>();
    for (const property of listOf(content['properties'])) {
      if (!isRecord(property)) continue;
      const propertyName = stringOf(property['name']);
      if (propertyName !== undefined) {
        properties.set(propertyName, this.propertyDef(property, propertyName, typesOf(property), definedIn));
      }
    }
    const target = stringOf(content['target']);
    const min = content['minMultiplicity'];
    const max = content['maxMultiplicity'];
    return {
      name,
      ...(target !== undefined ? { target } : {}),
      ...(typeof min === 'number' ? { minMultiplicity: min } : {}),
      ...(typeof max === 'number' ? { maxMultiplicity: max } : {}),
      writable: content['writable'] === true,
      properties,
      definedIn,
    };
  }

  /** A DTMI reference, or an inline interface (indexed under its `@id`, or a synthetic one when it has none). */
  private referencedInterfaceId(value: unknown, parentId: string, slot: string): string | undefined {
    const ref = stringOf(value);
    if (ref !== undefined) return ref;
    if (!isRecord(value) || !typesOf(value).includes('Interface')) return undefined;
    const id = stringOf(value['@id']) ?? inlineInterfaceId(parentId, slot);
    if (!this.interfaces.has(id)) this.collect(value, id, this.interfaces.get(parentId)?.owner ?? parentId);
    return id;
  }
}

function inlineInterfaceId(parentId: string, slot: string): string {
  return `${parentId}#${slot}`;
}

function unitOf(content: JsonRecord): { unit?: string } {
  const unit = stringOf(content['unit']);
  return unit !== undefined ? { unit } : {};
}

function mergeMissing<T>(into: Map<string, T>, from: ReadonlyMap<string, T>): void {
  for (const [name, value] of from) if (!into.has(name)) into.set(name, value);
}

/** Depth-first over nested objects/arrays; `visit` returns false to skip a node's children. */
function walk(root: JsonRecord, visit: (node: JsonRecord, isRoot: boolean) => boolean): void {
  const stack: Array<{ value: unknown; isRoot: boolean }> = [{ value: root, isRoot: true }];
  while (stack.length > 0) {
    const { value, isRoot } = stack.pop() as { value: unknown; isRoot: boolean };
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, isRoot: false });
      continue;
    }
    if (!isRecord(value) || !visit(value, isRoot)) continue;
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, isRoot: false });
    }
  }
}

/** DTMI strings an interface document uses as `extends`, `schema` or `elementSchema` (inline interfaces included). */
function referencesIn(raw: JsonRecord): string[] {
  const refs = new Set<string>();
  walk(raw, (node) => {
    for (const [key, value] of Object.entries(node)) {
      if (!referenceKeys.has(key)) continue;
      for (const item of listOf(value)) {
        const ref = stringOf(item);
        if (ref !== undefined && ref.startsWith('dtmi:')) refs.add(ref);
      }
    }
    return true;
  });
  return [...refs];
}
