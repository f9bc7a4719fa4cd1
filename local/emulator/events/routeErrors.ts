// Route errors ADT lists for PUT /eventroutes/{id} that the shared catalogue (../errors.ts) does not carry yet.
import { AdtError } from '../errors';

export const routeErrors = {
  idInvalid: (id: string) =>
    new AdtError(
      400,
      'EventRouteIdInvalid',
      `The event route id '${id}' is invalid. Use 1 to 64 characters: letters, digits, '-', '_' or '.', starting with a letter or digit. See event route documentation (https://aka.ms/ADTv2Routes).`,
    ),
  limitExceeded: (max: number) =>
    new AdtError(
      400,
      'LimitExceeded',
      `The instance already has the maximum of ${max} event routes. Delete a route you no longer need before creating another. See service limits (https://aka.ms/adt-limits).`,
    ),
  bodyInvalid: (why: string) =>
    new AdtError(
      400,
      'InvalidArgument',
      `The event route body is invalid: ${why}. Send {"endpointName": "<endpoint>", "filter": "<filter>"}; use filter "true" to route everything.`,
    ),
};
