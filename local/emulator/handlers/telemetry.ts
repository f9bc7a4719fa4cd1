// POST telemetry for a twin or one of its components. Nothing is stored; the message is routed as a
// `microsoft.iot.telemetry` notification, once per Message-Id within the de-duplication window.
import { errors } from '../errors';
import { header, type RequestContext } from '../http/context';
import { empty } from '../http/respond';
import type { RouteDefinition } from '../http/router';
import { isComponentValue } from '../metadata';
import type { EmulatorServices } from '../services';
import { param, requireTwin } from './common';
import { trace } from './twinWrites';

export interface TelemetryOptions {
  /** Resolves the model id of a component (its DTDL schema), used as `dataschema`; falls back to the twin's model. */
  componentModel?: (twinModelId: string, component: string) => string | undefined;
}

function publish(services: EmulatorServices, ctx: RequestContext, component: string | undefined, options: TelemetryOptions) {
  const id = param(ctx, 'id');
  const messageId = header(ctx, 'message-id');
  if (messageId === undefined || messageId.trim() === '') {
    throw errors.invalidArgument(
      'The Message-Id header is required for telemetry; send a value unique for this twin (it is the de-duplication key).',
    );
  }
  const twin = requireTwin(services, id);
  if (component !== undefined && !isComponentValue(twin[component])) throw errors.componentNotFound(id, component);
  if (ctx.body === undefined) throw errors.invalidArgument('The telemetry body must be a JSON value.');
  if (services.telemetry.isDuplicate(id, messageId)) {
    services.counters.duplicateTelemetry();
    return empty(204);
  }
  const dataschema =
    component === undefined ? twin.$metadata.$model : (options.componentModel?.(twin.$metadata.$model, component) ?? twin.$metadata.$model);
  services.notify({
    type: 'microsoft.iot.telemetry',
    id: messageId,
    sourceSuffix: `/digitaltwins/${id}`,
    ...(component !== undefined ? { subject: component } : {}),
    dataschema,
    // SDK 1.1.0's publishComponentTelemetry sends a JSON string body (its arguments are swapped); routed as sent.
    data: ctx.body,
    ...trace(ctx),
  });
  return empty(204);
}

export function telemetryRoutes(services: EmulatorServices, options: TelemetryOptions = {}): RouteDefinition[] {
  return [
    {
      method: 'POST',
      pattern: '/digitaltwins/:id/telemetry',
      op: 'telemetry',
      handler: (ctx) => publish(services, ctx, undefined, options),
    },
    {
      method: 'POST',
      pattern: '/digitaltwins/:id/components/:component/telemetry',
      op: 'telemetry',
      handler: (ctx) => publish(services, ctx, param(ctx, 'component'), options),
    },
  ];
}
