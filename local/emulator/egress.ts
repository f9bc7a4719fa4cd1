// --egress <dir>: the emulator's stand-in for an ADT Event Hubs or Service Bus endpoint plus the
// event route for twin changes that infra/modules/egress.bicep creates in Azure. Everything the
// route matches is written to <dir>/egress-<kind>.ndjson in the CloudEvents AMQP shape.
import { join, resolve } from 'node:path';

import type { EgressKind, EventRouter } from './events';

export interface EgressOptions {
  directory: string;
  /** eventHub (default) or serviceBus: the same AMQP shape, named in each line. */
  kind?: EgressKind;
  /** Relationship changes too (infra: egressRelationshipChanges). Default false: twin changes only. */
  relationships?: boolean;
}

export interface EgressHandle {
  endpoint: string;
  route: string;
  file: string;
  /** Notifications written so far. */
  written(): number;
  /** Puts the route back (an admin reset clears every route; the endpoint stays, as in ADT). */
  reinstall(): void;
}

export const egressEndpointName = 'egress';
export const egressRouteId = 'egress';

/** The route filter: the same event types the Bicep route uses. */
export function egressFilter(relationships: boolean): string {
  const kinds = [
    'Twin.Create',
    'Twin.Update',
    'Twin.Delete',
    ...(relationships ? ['Relationship.Create', 'Relationship.Update', 'Relationship.Delete'] : []),
  ];
  return kinds.map((kind) => `type = 'Microsoft.DigitalTwins.${kind}'`).join(' OR ');
}

export function attachEgress(router: EventRouter, options: EgressOptions): EgressHandle {
  const kind = options.kind ?? 'eventHub';
  const file = join(resolve(options.directory), `egress-${kind}.ndjson`);
  router.addEndpoint({ name: egressEndpointName, kind, file });
  const install = (): void =>
    void router.upsertRoute(egressRouteId, { endpointName: egressEndpointName, filter: egressFilter(options.relationships ?? false) });
  install();
  return {
    endpoint: egressEndpointName,
    route: egressRouteId,
    file,
    written: () => router.egressWritten[egressEndpointName] ?? 0,
    reinstall: install,
  };
}
