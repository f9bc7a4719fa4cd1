// Runs one invocation the way the Node worker does: the captured ProgrammingModel turns the host's
// RPC request into handler arguments (InvocationModel.getArguments), calls the registered callback
// and builds the response. No code path of our own between the request and the handler.
import { randomUUID } from 'node:crypto';

import type { CapturedProgrammingModel, CapturedRegistration } from './functionsHost';
import type { RpcInvocationRequest } from './rpcTypes';

export interface FunctionLogLine {
  level: string;
  category: string;
  message: string;
}

interface InvocationModelLike {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: unknown): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<unknown>;
}

function isInvocationModel(value: unknown): value is InvocationModelLike {
  const v = value as Partial<InvocationModelLike> | null;
  return typeof v?.getArguments === 'function' && typeof v.invokeFunction === 'function' && typeof v.getResponse === 'function';
}

export interface InvocationOutcome {
  result: unknown;
  logs: FunctionLogLine[];
}

/** Rejects with the handler's error, like a failed invocation; `logs` collects what the function logged. */
export async function invokeRegistration(
  programmingModel: CapturedProgrammingModel,
  registration: CapturedRegistration,
  request: RpcInvocationRequest,
  onLog: (line: FunctionLogLine) => void = () => undefined,
): Promise<unknown> {
  if (!programmingModel.getInvocationModel) {
    throw new Error(
      '@azure/functions registered no ProgrammingModel with the local host; load the function app through loadFunctionApp() before invoking.',
    );
  }
  const coreContext = {
    invocationId: randomUUID(),
    request,
    metadata: registration.metadata,
    state: undefined,
    log: (level: string, category: string, message: string) => onLog({ level, category, message }),
  };
  const model = programmingModel.getInvocationModel(coreContext);
  if (!isInvocationModel(model))
    throw new Error(
      'The ProgrammingModel returned an invocation model without getArguments/invokeFunction/getResponse; @azure/functions changed its worker contract.',
    );
  const { context, inputs } = await model.getArguments();
  const result = await model.invokeFunction(context, inputs, registration.callback);
  await model.getResponse(context, result);
  return result;
}

/** The trigger binding of a registration (the one binding with direction "in" and a *Trigger type). */
export function triggerBindingOf(registration: Pick<CapturedRegistration, 'metadata'>): { name: string; binding: Record<string, unknown> } {
  for (const [name, binding] of Object.entries(registration.metadata.bindings)) {
    if (typeof binding.type === 'string' && binding.type.endsWith('Trigger')) return { name, binding };
  }
  throw new Error(`Function ${registration.metadata.name} registered no trigger binding.`);
}
