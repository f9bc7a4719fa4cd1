// ADT's error envelope and the verbatim messages the real service sends (recorded from real ADT responses).

export interface AdtErrorDetail {
  code: string;
  message: string;
}

/** Thrown anywhere in the emulator; the HTTP layer turns it into `{"error":{code,message,details}}`. */
export class AdtError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: AdtErrorDetail[],
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AdtError';
  }

  toBody(): { error: { code: string; message: string; details?: AdtErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

const patchHelp = 'Please provide a valid patch document. See section on update apis in the documentation https://aka.ms/adtv2twins.';

export const errors = {
  twinNotFound: (id: string) =>
    new AdtError(
      404,
      'DigitalTwinNotFound',
      `There is no digital twin instance that exists with the ID ${id}. Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins https://aka.ms/adtv2query.`,
    ),
  twinExists: (id: string) =>
    new AdtError(
      412,
      'PreconditionFailed',
      `If-None-Match: * header was specified but a twin with the id ${id} was found. Please specify a different twin id.`,
    ),
  relationshipExists: (relId: string) =>
    new AdtError(
      412,
      'PreconditionFailed',
      `If-None-Match: * header was specified but a relationship with the id ${relId} was found. Please specify a different relationship id.`,
    ),
  etagMismatch: (etag: string) =>
    new AdtError(
      412,
      'PreconditionFailed',
      `The provided If-Match value ${etag} does not match the current ETag of the resource. Fetch the latest version and retry.`,
    ),
  badIfMatch: () =>
    new AdtError(400, 'InvalidArgument', 'Invalid If-Match header value. Allowed value(s): If-Match: {etag} or If-Match: *'),
  badIfNoneMatch: () => new AdtError(400, 'InvalidArgument', 'Invalid If-None-Match header value. Allowed value(s): If-None-Match: *'),
  invalidArgument: (message: string) => new AdtError(400, 'InvalidArgument', message),
  validationFailed: (details: string[]) =>
    new AdtError(
      400,
      'ValidationFailed',
      'Invalid twin specified',
      details.map((message) => ({ code: 'ValidationFailed', message })),
    ),
  relationshipsNotDeleted: (id: string) =>
    new AdtError(
      400,
      'RelationshipsNotDeleted',
      `Twin ${id} has active relationships. Cannot delete a twin unless all the relationships are deleted. Please ensure that the active relationships on the twin are deleted. See section on retrieving relationships https://aka.ms/adtv2twins.`,
    ),
  patchUnsupportedOp: (op: string) => new AdtError(400, 'JsonPatchInvalid', `Unsupported operation type ${op}. ${patchHelp}`),
  patchMissingOp: () => new AdtError(400, 'JsonPatchInvalid', `Parameter op must not be empty. ${patchHelp}`),
  patchPathNotFound: (segment: string) =>
    new AdtError(400, 'JsonPatchInvalid', `The target location specified by path segment '${segment}' was not found. ${patchHelp}`),
  patchUnresolvablePath: (path: string) => new AdtError(400, 'JsonPatchInvalid', `Could not resolve path ${path}. ${patchHelp}`),
  patchInvalid: (message: string) => new AdtError(400, 'JsonPatchInvalid', `${message} ${patchHelp}`),
  relationshipNotFound: (id: string, relId: string) =>
    new AdtError(
      404,
      'RelationshipNotFound',
      `Relationship ${relId} not found on twin ${id}. Please verify that the relationship id is valid and ensure that the relationship is not deleted. See section on listing relationships in the documentation http://aka.ms/adtv2twins.`,
    ),
  targetTwinNotFound: () =>
    new AdtError(
      404,
      'TargetDigitalTwinNotFound',
      'The target digital twin is invalid or does not exist Please validate that the target twin is valid and ensure that the target twin is not deleted. See section on querying the twins http://aka.ms/adtv2query .',
    ),
  invalidRelationship: (why: string) =>
    new AdtError(
      400,
      'InvalidRelationship',
      `Twin relationship does not align with the model. Please ensure that the relationship is in alignment with the model. See section on listing models http://aka.ms/adtv2models. ${why}`.trim(),
    ),
  relationshipToSelf: () => new AdtError(400, 'OperationNotAllowed', 'A relationship cannot have the same source and target twin.'),
  componentNotFound: (id: string, component: string) =>
    new AdtError(
      404,
      'ComponentNotFound',
      `${id} does not have component ${component} Please verify that the component path is correct. You can get components by getting the twin, See example https://aka.ms/TwinGetSwSmpl.`,
    ),
  modelNotFound: (ids: string) =>
    new AdtError(
      404,
      'ModelNotFound',
      `There is no Model(s) available that matches the provided id(s) ${ids}. Check that the Model ID provided is valid by doing a Model_List API call.`,
    ),
  modelsExist: (ids: string[]) =>
    new AdtError(
      409,
      'ModelIdAlreadyExists',
      `Some of the model ids already exist: ${ids.join(', ')}. Use Model_List API to view models that already exist. See the Swagger example (https://aka.ms/ModelListSwSmpl).`,
    ),
  modelReferenced: (by: string) =>
    new AdtError(
      409,
      'ModelReferencesNotDeleted',
      `This model is currently being referenced by ${by}. You must delete these references before deleting the Model.. To delete references, do Delete Model on Ids provided above.`,
    ),
  modelsEmpty: () =>
    new AdtError(
      400,
      'InvalidArgument',
      'Operation failed as models provided was empty or of a type that is not supported.. Check that your Model Array contains at least one item and it is of a supported type. See link(https://aka.ms/ADTv2Models) for details.',
    ),
  dtdlParserError: (why: string) =>
    new AdtError(
      400,
      'DTDLParserError',
      `None of the models in this request could be created due to a problem with one or more models: ${why}. See model documentation(https://aka.ms/ADTv2Models) for supported format.`,
    ),
  modelDecommissioned: (id: string) =>
    new AdtError(400, 'ModelDecommissioned', `Model ${id} is decommissioned. New twins cannot be created with a decommissioned model.`),
  sqlQueryError: (message: string) =>
    new AdtError(
      400,
      'SqlQueryError',
      `SQL query parse failed: ${message} See samples in http://aka.ms/adtv2query for the correct syntax.`,
    ),
  queryUnsupported: (feature: string) =>
    new AdtError(
      400,
      'SqlQueryError',
      `The ADT emulator does not support ${feature}. See README.md (emulator query subset) for what is supported.`,
    ),
  queryLimitExceeded: (what: string, limit: number, actual: number) =>
    new AdtError(
      400,
      'SqlQueryError',
      `The query exceeds the ADT limit of ${limit} ${what} (it has ${actual}). Simplify the query or split it into several queries.`,
    ),
  badContinuationToken: () =>
    new AdtError(400, 'BadRequest', 'The continuation token is invalid or has expired. Re-run the query without a continuation token.'),
  routeNotFound: () =>
    new AdtError(
      404,
      'EventRouteNotFound',
      'There is no route available that matches the provided input. Check for all valid event routes by calling EventRoute_List. See Swagger example (https://aka.ms/RouteSwSmpl).',
    ),
  routeEndpointInvalid: () =>
    new AdtError(
      400,
      'EventRouteEndpointInvalid',
      'The endpoint provided does not exist or is not active. Check that your endpoint is provisioned correctly. See event route documentation (https://aka.ms/ADTv2Routes).',
    ),
  routeFilterInvalid: (why: string) =>
    new AdtError(
      400,
      'EventRouteFilterInvalid',
      `The filter provided is invalid: ${why}. See event route documentation (https://aka.ms/ADTv2Routes).`,
    ),
  payloadTooLarge: (limitBytes: number) =>
    new AdtError(413, 'PayloadTooLarge', `The request payload exceeds the maximum size of ${limitBytes} bytes.`),
  unauthorized: () => new AdtError(401, 'Unauthorized', 'The request is missing an Authorization header with a bearer token.'),
  throttled: (what: string, retryAfterSeconds: number | undefined) =>
    new AdtError(
      429,
      what === 'query' ? 'QuotaReachedError' : 'TooManyRequests',
      `Rate limit exceeded for ${what}. Retry after the interval in the Retry-After header.`,
      undefined,
      retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(retryAfterSeconds) },
    ),
  notFoundRoute: (method: string, path: string) => new AdtError(404, 'NotFound', `No ADT data-plane operation matches ${method} ${path}.`),
};
