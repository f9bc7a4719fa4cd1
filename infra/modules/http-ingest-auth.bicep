// Entra ID for POST /api/telemetry (httpIngestAuth = 'entraId'): App Service authentication
// validates the caller's access token before any function runs and passes the caller on in
// x-ms-client-principal-* headers; the function (HTTP_INGEST_AUTH=entraId) registers without a key
// and refuses a request without a validated caller, so switching this off fails closed.
// The Event Grid webhook and the host's own endpoints are excluded: Event Grid authenticates with
// the eventgrid_extension system key, not a token.

@description('Function App name.')
param appName string

@description('Client id (application id) of the app registration callers request tokens for (main.bicep httpIngestClientId; required with httpIngestAuth = entraId).')
@minLength(36)
param clientId string

@description('Entra tenant that issues the tokens.')
param tenantId string = tenant().tenantId

@description('Client ids of the applications (service principals, managed identities) allowed to call; empty = any caller with a token for this audience.')
param allowedApplications array = []

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: appName
}

resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      // A service calling an API gets a 401, never a redirect to a sign-in page.
      unauthenticatedClientAction: 'Return401'
      excludedPaths: ['/runtime/webhooks/eventgrid', '/admin']
    }
    httpSettings: { requireHttps: true }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: ['api://${clientId}', clientId]
          defaultAuthorizationPolicy: {
            allowedApplications: allowedApplications
          }
        }
      }
    }
  }
}
