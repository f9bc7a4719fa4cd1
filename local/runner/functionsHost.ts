// A stand-in for the Functions host's side of @azure/functions: a fake `@azure/functions-core`
// injected through Module._load before the library is first required, capturing every
// registerFunction(metadata, callback). Used by registration tests and the offline runner.

import Module from 'node:module';

export interface CapturedRegistration {
  metadata: { name: string; bindings: Record<string, Record<string, unknown>>; retryOptions?: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  callback: unknown;
}

export interface CapturedProgrammingModel {
  name?: string;
  version?: string;
  getInvocationModel?: (coreContext: unknown) => unknown;
}

interface FunctionsHostState {
  registrations: CapturedRegistration[];
  programmingModel: CapturedProgrammingModel | undefined;
}

const state: FunctionsHostState = { registrations: [], programmingModel: undefined };

/** The fake core object; under jest, register it with jest.mock('@azure/functions-core', …, { virtual: true }). */
export const fakeFunctionsCore = {
  version: 'fake-host',
  hostVersion: 'fake-host',
  setProgrammingModel(model: CapturedProgrammingModel): void {
    state.programmingModel = model;
  },
  getProgrammingModel(): CapturedProgrammingModel | undefined {
    return state.programmingModel;
  },
  registerFunction(metadata: CapturedRegistration['metadata'], callback: unknown): { dispose(): void } {
    state.registrations.push({ metadata, callback });
    return { dispose: () => undefined };
  },
  registerHook: (): { dispose(): void } => ({ dispose: () => undefined }),
  log: (): void => undefined,
};

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Loader };
let installed = false;

/**
 * Must run before anything requires @azure/functions (the library caches the core lookup forever).
 * Plain Node only: jest has its own module registry, so tests mock the module instead.
 */
export function installFakeFunctionsCore(): void {
  if (installed) return;
  const original = moduleWithLoad._load;
  moduleWithLoad._load = function load(request: string, parent: unknown, isMain: boolean): unknown {
    return request === '@azure/functions-core' ? fakeFunctionsCore : original.call(this, request, parent, isMain);
  };
  installed = true;
}

/** Requires each function file and returns what it registered (by function name). */
export function loadFunctionApp(paths: string[], options: { hook?: boolean } = {}): Map<string, CapturedRegistration> {
  if (options.hook !== false) installFakeFunctionsCore();
  // Function files register themselves as a side effect of being loaded, exactly as the host loads them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const path of paths) require(path);
  return new Map(state.registrations.map((r) => [r.metadata.name, r]));
}

export function capturedProgrammingModel(): CapturedProgrammingModel | undefined {
  return state.programmingModel;
}
