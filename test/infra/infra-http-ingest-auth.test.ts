// Entra ID for POST /api/telemetry: off by default (function key); with httpIngestAuth = entraId,
// App Service authentication requires a token for the app registration on every path but the Event
// Grid webhook (which authenticates with its system key), and the function learns the mode.
import { type ArmResource, type ArmTemplate, loadCompiled, moduleOf, moduleParam, resourcesOf } from './support/compiledTemplates';

const main = (): ArmTemplate => loadCompiled('main.json');

describe('HTTP ingest authentication in the Bicep', () => {
  it('is a function key by default; entraId deploys App Service authentication and tells the function', () => {
    const m = main();
    expect(m.parameters?.httpIngestAuth).toMatchObject({
      type: 'string',
      defaultValue: 'functionKey',
      allowedValues: ['functionKey', 'entraId'],
    });
    const { deployment } = moduleOf(m, 'http-ingest-auth');
    expect(deployment.condition).toBe("[equals(parameters('httpIngestAuth'), 'entraId')]");
    expect(moduleParam(deployment, 'clientId')).toContain("[parameters('httpIngestClientId')]");
    const settings = moduleOf(m, 'app-settings');
    expect(moduleParam(settings.deployment, 'httpIngestAuth')).toContain("[parameters('httpIngestAuth')]");
    expect(JSON.stringify(settings.template.variables?.common)).toContain('"HTTP_INGEST_AUTH":"[parameters(\'httpIngestAuth\')]"');
  });

  it('requires a token (401, no redirect) everywhere except the Event Grid webhook and the host admin API', () => {
    const auth = resourcesOf(moduleOf(main(), 'http-ingest-auth').template).find(
      (r: ArmResource) => r.type === 'Microsoft.Web/sites/config',
    ) as ArmResource;
    expect(String(auth.name)).toContain('authsettingsV2');
    const props = auth.properties as {
      platform: { enabled: boolean };
      globalValidation: { requireAuthentication: boolean; unauthenticatedClientAction: string; excludedPaths: string[] };
      identityProviders: {
        azureActiveDirectory: {
          enabled: boolean;
          registration: { clientId: string };
          validation: { allowedAudiences: string; defaultAuthorizationPolicy: { allowedApplications: string } };
        };
      };
    };
    expect(props.platform.enabled).toBe(true);
    expect(props.globalValidation).toEqual({
      requireAuthentication: true,
      unauthenticatedClientAction: 'Return401',
      excludedPaths: ['/runtime/webhooks/eventgrid', '/admin'],
    });
    const aad = props.identityProviders.azureActiveDirectory;
    expect(aad.enabled).toBe(true);
    expect(aad.registration.clientId).toBe("[parameters('clientId')]");
    expect(JSON.stringify(aad.validation.allowedAudiences)).toContain('api://');
    expect(aad.validation.defaultAuthorizationPolicy.allowedApplications).toBe("[parameters('allowedApplications')]");
  });
});
