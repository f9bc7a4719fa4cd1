// scripts/post-deploy.sh against fake az/azd/curl: what it calls, in which subscription, and how it fails.

import { join } from 'node:path';

import { repoRoot } from './support/compiledTemplates';
import { argOf, azCommand, ScriptHarness, type ToolCall } from './support/scriptHarness';

const outputs = {
  FUNCTION_APP_NAME: 'func-abc',
  FUNCTION_APP_HOST_NAME: 'func-abc.azurewebsites.net',
  PROPAGATE_FUNCTION_NAME: 'propagateTwinChanges',
  EVENT_GRID_TOPIC_NAME: 'evgt-abc',
  STORAGE_ACCOUNT_NAME: 'stabc',
  EVENT_GRID_DEAD_LETTER_CONTAINER: 'event-grid-dead-letters',
  ADT_EVENT_TYPES: 'Microsoft.DigitalTwins.Twin.Update,Microsoft.DigitalTwins.Twin.Create',
  ADT_SERVICE_URL: 'https://dt-abc.api.weu.digitaltwins.azure.net',
  ADT_ENDPOINT_NAME: 'twin-changes-topic',
  ADT_EVENT_ROUTE_NAME: 'twin-changes',
  ADT_EVENT_ROUTE_FILTER: "type = 'Microsoft.DigitalTwins.Twin.Update' OR type = 'Microsoft.DigitalTwins.Twin.Create'",
  DEPLOYER_PRINCIPAL_ID: 'deployer-oid',
  ADT_DEAD_LETTER_SAS_EXPIRY: new Date(Date.now() + 200 * 86_400_000).toISOString(),
};
// What azd exports to a hook: its environment plus every output.
const azdHookEnv = { AZURE_SUBSCRIPTION_ID: 'sub-azd', AZURE_TENANT_ID: 'tenant-1', AZURE_RESOURCE_GROUP: 'rg-test', ...outputs };

let harness: ScriptHarness;
beforeEach(() => (harness = new ScriptHarness()));
afterEach(() => harness.dispose());

const run = (args: string[], env: Record<string, string>) => harness.run('post-deploy.sh', args, env);
const azCalls = (calls: ToolCall[]) => calls.filter((c) => c.tool === 'az');

describe('scripts/post-deploy.sh', () => {
  it("as an azd hook: pins every az call to azd's subscription, subscribes the webhook with the system key, PUTs the route", () => {
    const { status, calls, stderr, stdout, deploymentParameters } = run([], azdHookEnv);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const az = azCalls(calls);
    expect(az.map(azCommand)).toEqual([
      'account show',
      'account get-access-token',
      'functionapp function show',
      'functionapp keys list',
      'deployment group create',
    ]);
    // The whole point: never az's default subscription.
    expect(az.every((c) => argOf(c, '--subscription') === 'sub-azd')).toBe(true);
    const [, token, show, keys, deploy] = az as [ToolCall, ToolCall, ToolCall, ToolCall, ToolCall];
    expect(argOf(token, '--resource')).toBe('https://digitaltwins.azure.net');
    expect(argOf(show, '--function-name')).toBe('propagateTwinChanges');
    expect(argOf(keys, '--query')).toBe('systemKeys.eventgrid_extension');
    expect(argOf(deploy, '--template-file')).toBe(join(repoRoot, 'infra', 'post-deploy', 'event-subscription.bicep'));
    expect(argOf(deploy, '--resource-group')).toBe('rg-test');
    // The key travels in a parameter file, never on a command line.
    expect(JSON.stringify(calls)).not.toContain('fake-extension-key');
    expect(deploymentParameters).toMatchObject({
      topicName: { value: 'evgt-abc' },
      functionAppHostName: { value: 'func-abc.azurewebsites.net' },
      functionName: { value: 'propagateTwinChanges' },
      eventGridExtensionKey: { value: 'fake-extension-key' },
      includedEventTypes: { value: outputs.ADT_EVENT_TYPES },
    });
    const put = calls.find((c) => c.tool === 'curl');
    expect(put?.args.at(-1)).toBe('https://dt-abc.api.weu.digitaltwins.azure.net/eventroutes/twin-changes?api-version=2023-10-31');
    expect(argOf(put as ToolCall, '--request')).toBe('PUT');
    // The bearer token is read from a header file, not passed as an argument.
    expect(put?.args).toContain('--header');
    expect(put?.args.some((a) => a.startsWith('Authorization'))).toBe(false);
    expect(stdout).toContain('[8/10] check the ADT dead-letter SAS expiry');
    expect(calls.some((c) => c.tool === 'azd')).toBe(false); // a hook already has azd's environment
  });

  it('creates the egress route from the outputs when main.bicep deployed an egress endpoint, and none otherwise', () => {
    const egress = {
      EGRESS_ENDPOINT_NAME: 'twin-egress',
      EGRESS_ROUTE_NAME: 'twin-egress-route',
      EGRESS_ROUTE_FILTER: "type = 'Microsoft.DigitalTwins.Twin.Update'",
    };
    const routes = (calls: ToolCall[]) => calls.filter((c) => c.tool === 'curl').map((c) => c.args.at(-1));
    const withEgress = run([], { ...azdHookEnv, ...egress });
    expect(withEgress.status).toBe(0);
    expect(routes(withEgress.calls)).toEqual([
      'https://dt-abc.api.weu.digitaltwins.azure.net/eventroutes/twin-changes?api-version=2023-10-31',
      'https://dt-abc.api.weu.digitaltwins.azure.net/eventroutes/twin-egress-route?api-version=2023-10-31',
    ]);
    expect(withEgress.stdout).toContain(
      "egress route twin-egress-route -> endpoint twin-egress (type = 'Microsoft.DigitalTwins.Twin.Update')",
    );
    const without = run([], azdHookEnv);
    expect(routes(without.calls)).toHaveLength(1);
    expect(without.stdout).toContain("no egress endpoint (main.bicep egress = 'none')");
  });

  it('is idempotent: a second run issues the same upserts and nothing else', () => {
    const first = run([], azdHookEnv);
    const second = run([], azdHookEnv);
    expect(second.status).toBe(0);
    expect(second.calls.map((c) => [c.tool, ...c.args.filter((a) => !a.includes('/tmp'))])).toEqual(
      first.calls.map((c) => [c.tool, ...c.args.filter((a) => !a.includes('/tmp'))]),
    );
  });

  it("run alone: reads azd's environment when azd is there", () => {
    const { status, calls } = run([], { FAKE_AZD_ENV: JSON.stringify(azdHookEnv) });
    expect(status).toBe(0);
    expect(calls[0]).toEqual({ tool: 'azd', args: ['env', 'get-values', '--output', 'json'] });
    expect(azCalls(calls).every((c) => argOf(c, '--subscription') === 'sub-azd')).toBe(true);
  });

  it('run alone without azd: reads the outputs once from the named deployment in the given subscription', () => {
    const { status, calls } = run(['--resource-group', 'rg-alone', '--deployment', 'my-deploy', '--subscription', 'sub-cli'], {
      FAKE_AZ_OUTPUTS: JSON.stringify(outputs),
    });
    expect(status).toBe(0);
    const shows = azCalls(calls).filter((c) => azCommand(c) === 'deployment group show');
    expect(shows).toHaveLength(1);
    expect([argOf(shows[0] as ToolCall, '--resource-group'), argOf(shows[0] as ToolCall, '--name')]).toEqual(['rg-alone', 'my-deploy']);
    expect(azCalls(calls).every((c) => argOf(c, '--subscription') === 'sub-cli')).toBe(true);
  });

  it("falls back to az's default subscription only when nothing names one, and says so", () => {
    const { status, stderr, calls } = run(['-g', 'rg-x'], {
      FAKE_AZ_OUTPUTS: JSON.stringify(outputs),
      FAKE_AZ_DEFAULT_SUBSCRIPTION: 'sub-default',
    });
    expect(status).toBe(0);
    expect(stderr).toContain("using az's default subscription sub-default");
    expect(
      azCalls(calls)
        .slice(1)
        .every((c) => argOf(c, '--subscription') === 'sub-default'),
    ).toBe(true);
  });

  it('stops at once when az is signed in to another tenant than azd deployed to', () => {
    const { status, stderr, calls } = run([], { ...azdHookEnv, FAKE_AZ_TENANT: 'tenant-other' });
    expect(status).toBe(1);
    expect(stderr).toContain("FAILED at step 'check the Azure CLI sign-in'");
    expect(stderr).toContain('az login --tenant tenant-1');
    expect(calls.some((c) => c.tool === 'curl' || azCommand(c) === 'deployment group create')).toBe(false);
  });

  it('stops at once when az is signed in as another principal than the one the ADT role went to', () => {
    const refused = run([], { ...azdHookEnv, FAKE_AZ_OID: 'someone-else' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      "az is signed in as object id someone-else, but the deployment granted 'Azure Digital Twins Data Owner' to deployer-oid",
    );
    expect(refused.calls.some((c) => c.tool === 'curl')).toBe(false);
    const allowed = run(['--skip-principal-check'], { ...azdHookEnv, FAKE_AZ_OID: 'someone-else' });
    expect(allowed.status).toBe(0);
  });

  it('stops before touching Event Grid when the function is not deployed', () => {
    const { status, stderr, calls } = run([], { ...azdHookEnv, POST_DEPLOY_WAIT_SECONDS: '0', FAKE_AZ_FUNCTION_MISSING: '1' });
    expect(status).toBe(1);
    expect(stderr).toContain("FAILED at step 'wait for function propagateTwinChanges in func-abc'");
    expect(stderr).toContain('Deploy the code first');
    expect(calls.some((c) => azCommand(c) === 'deployment group create' || c.tool === 'curl')).toBe(false);
  });

  it('waits for the eventgrid_extension key, bounded', () => {
    const waited = run([], { ...azdHookEnv, FAKE_KEYS_FAILURES: '2' });
    expect(waited.status).toBe(0);
    expect(azCalls(waited.calls).filter((c) => azCommand(c) === 'functionapp keys list')).toHaveLength(3);
    expect(waited.stdout.match(/no key yet/g)).toHaveLength(2); // a wait is never silent
    const gaveUp = run([], { ...azdHookEnv, FAKE_KEYS_FAILURES: '99', POST_DEPLOY_WAIT_SECONDS: '0' });
    expect(gaveUp.status).toBe(1);
    expect(gaveUp.stderr).toContain('has no eventgrid_extension system key');
  });

  it('retries the subscription while the webhook handshake fails, then names the error', () => {
    const retried = run([], { ...azdHookEnv, FAKE_DEPLOY_FAILURES: '1' });
    expect(retried.status).toBe(0);
    expect(azCalls(retried.calls).filter((c) => azCommand(c) === 'deployment group create')).toHaveLength(2);
    const exhausted = run([], { ...azdHookEnv, FAKE_DEPLOY_FAILURES: '9', POST_DEPLOY_ATTEMPTS: '2' });
    expect(exhausted.status).toBe(1);
    expect(exhausted.stderr).toContain('Webhook validation handshake failed');
  });

  it('retries the route while the data-plane role propagates, gives up with advice, and fails at once on a 400', () => {
    const retried = run([], { ...azdHookEnv, FAKE_CURL_PUT_STATUSES: '403,403,201' });
    expect(retried.status).toBe(0);
    expect(retried.calls.filter((c) => c.tool === 'curl')).toHaveLength(3);

    const exhausted = run([], { ...azdHookEnv, FAKE_CURL_PUT_STATUSES: '403', POST_DEPLOY_ATTEMPTS: '3' });
    expect(exhausted.status).toBe(1);
    expect(exhausted.calls.filter((c) => c.tool === 'curl')).toHaveLength(3);
    expect(exhausted.stderr).toContain("needs 'Azure Digital Twins Data Owner'");

    const invalid = run([], { ...azdHookEnv, FAKE_CURL_PUT_STATUSES: '400' });
    expect(invalid.status).toBe(1);
    expect(invalid.calls.filter((c) => c.tool === 'curl')).toHaveLength(1);
    expect(invalid.stderr).toContain('ADT refused event route twin-changes with HTTP 400');
  });

  it('waits POST_DEPLOY_RETRY_DELAY seconds between attempts (default 20)', () => {
    const sleeps = (r: { calls: ToolCall[] }) => r.calls.filter((c) => c.tool === 'sleep').map((c) => c.args[0]);
    expect(sleeps(run([], { ...azdHookEnv, FAKE_CURL_PUT_STATUSES: '403,201' }))).toEqual(['20']);
    expect(sleeps(run([], { ...azdHookEnv, FAKE_CURL_PUT_STATUSES: '403,201', POST_DEPLOY_RETRY_DELAY: '7' }))).toEqual(['7']);
    expect(sleeps(run([], azdHookEnv))).toEqual([]);
  });

  it('warns when the ADT dead-letter SAS expires soon', () => {
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const { status, stderr } = run([], { ...azdHookEnv, ADT_DEAD_LETTER_SAS_EXPIRY: soon });
    expect(status).toBe(0);
    expect(stderr).toContain('expires on');
    expect(stderr).toContain("Run 'azd provision'");
    // POST_DEPLOY_SAS_WARNING_DAYS moves the threshold.
    const in40Days = new Date(Date.now() + 40 * 86_400_000).toISOString();
    expect(run([], { ...azdHookEnv, ADT_DEAD_LETTER_SAS_EXPIRY: in40Days }).stderr).not.toContain('expires on');
    expect(run([], { ...azdHookEnv, ADT_DEAD_LETTER_SAS_EXPIRY: in40Days, POST_DEPLOY_SAS_WARNING_DAYS: '60' }).stderr).toContain(
      'expires on',
    );
  });

  it('names what is missing when there is no resource group or output', () => {
    const noGroup = run([], {});
    expect(noGroup.status).toBe(1);
    expect(noGroup.stderr).toContain('no resource group');
    const noOutputs = run(['-g', 'rg-x', '-s', 'sub-1'], { FAKE_AZ_OUTPUTS: '{}' });
    expect(noOutputs.status).toBe(1);
    expect(noOutputs.stderr).toContain("output FUNCTION_APP_NAME is neither in the environment nor in deployment 'adt-pipeline'");
    const noDeployment = run(['-g', 'rg-x', '-s', 'sub-1'], { FAKE_AZ_DEPLOYMENT_MISSING: '1' });
    expect(noDeployment.status).toBe(1);
    expect(noDeployment.stderr).toContain("cannot read the outputs of deployment 'adt-pipeline'");
  });
  it('reconciles derived values once against the deployed ADT, and skips that with --skip-reconcile', () => {
    const done = run([], azdHookEnv);
    expect(done.status).toBe(0);
    const npm = done.calls.filter((c) => c.tool === 'npm');
    expect(npm.map((c) => c.args.join(' '))).toEqual([`run --silent reconcile -- --adt-url ${outputs.ADT_SERVICE_URL} --quiet`]);
    const skipped = run(['--skip-reconcile'], azdHookEnv);
    expect(skipped.status).toBe(0);
    expect(skipped.calls.filter((c) => c.tool === 'npm')).toEqual([]);
  });

  it('--seed-portfolio (or POST_DEPLOY_SEED_PORTFOLIO) bulk-seeds through one import job before reconciling', () => {
    const bulk = {
      STORAGE_BLOB_ENDPOINT: 'https://stabc.blob.core.windows.net/',
      IMPORT_CONTAINER: 'adt-import',
      IMPORT_LOG_CONTAINER: 'adt-import-logs',
    };
    const seeded = run(['--seed-portfolio', '100000'], { ...azdHookEnv, ...bulk });
    expect(seeded.status).toBe(0);
    expect(seeded.stdout).toContain('[9/10] bulk-seed a portfolio through an ADT import job');
    const npm = seeded.calls.filter((c) => c.tool === 'npm').map((c) => c.args.join(' '));
    expect(npm).toEqual([
      `run --silent seed -- --adt-url ${outputs.ADT_SERVICE_URL} --portfolio 100000 --storage ${bulk.STORAGE_BLOB_ENDPOINT} --container adt-import --log-container adt-import-logs`,
      `run --silent reconcile -- --adt-url ${outputs.ADT_SERVICE_URL} --quiet`,
    ]);
    const fromEnv = run([], { ...azdHookEnv, ...bulk, POST_DEPLOY_SEED_PORTFOLIO: '500' });
    expect(fromEnv.calls.filter((c) => c.tool === 'npm')[0]?.args).toContain('500');
    const bad = run(['--seed-portfolio', 'lots'], { ...azdHookEnv, ...bulk });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--seed-portfolio needs a whole number of twins');
    const failed = run(['--seed-portfolio', '10'], { ...azdHookEnv, ...bulk, FAKE_NPM_FAIL: 'seed' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('Storage Blob Data Contributor');
    const plain = run([], azdHookEnv);
    expect(plain.stdout).toContain('skipped (no --seed-portfolio)');
  });
  describe('IoT Hub event routes', () => {
    const route = (name: string, source: string, isEnabled = true) => ({
      name,
      source,
      condition: 'true',
      endpointNames: ['telemetry-event-hub'],
      isEnabled,
    });
    const hubRouting = {
      routes: [
        route('device-messages-to-telemetry-hub', 'DeviceMessages'),
        route('device-lifecycle-to-ingest', 'DeviceLifecycleEvents'),
        route('twin-changes-to-ingest', 'TwinChangeEvents'),
        route('connection-state-to-ingest', 'DeviceConnectionStateEvents', false),
      ],
      enrichments: [{ key: 'twinId', value: '$twin.tags.twinId', endpointNames: ['telemetry-event-hub'] }],
    };
    const withRoutes = {
      ...azdHookEnv,
      IOT_HUB_NAME: 'iot-abc',
      IOT_HUB_EVENT_ROUTES: 'lifecycle,twinChanges',
      IOT_HUB_TWIN_ID_ENRICHMENT: 'twinId=$twin.tags.twinId',
    };

    it('reads the hub once and reports each route and the enrichment main.bicep switched on', () => {
      const { status, stdout, stderr, calls } = run([], { ...withRoutes, FAKE_AZ_IOT_HUB_ROUTING: JSON.stringify(hubRouting) });
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const shows = azCalls(calls).filter((c) => azCommand(c) === 'iot hub show');
      expect(shows).toHaveLength(1);
      expect([argOf(shows[0] as ToolCall, '--name'), argOf(shows[0] as ToolCall, '--resource-group')]).toEqual(['iot-abc', 'rg-test']);
      expect(argOf(shows[0] as ToolCall, '--subscription')).toBe('sub-azd');
      expect(stdout).toContain('[7/10] check the IoT Hub event routes');
      expect(stdout).toContain('route device-lifecycle-to-ingest (DeviceLifecycleEvents) enabled -> telemetry-event-hub');
      expect(stdout).toContain('route twin-changes-to-ingest (TwinChangeEvents) enabled -> telemetry-event-hub');
      expect(stdout).toContain('enrichment twinId = $twin.tags.twinId -> telemetry-event-hub');
      expect(stdout).not.toContain('connection-state-to-ingest');
    });

    it('fails, naming each difference, when a switched-on route or the enrichment is missing or disabled on the hub', () => {
      const { status, stderr } = run([], {
        ...withRoutes,
        IOT_HUB_EVENT_ROUTES: 'lifecycle,twinChanges,connectionState,digitalTwinChanges',
        FAKE_AZ_IOT_HUB_ROUTING: JSON.stringify({ routes: hubRouting.routes, enrichments: [] }),
      });
      expect(status).toBe(1);
      expect(stderr).toContain("FAILED at step 'check the IoT Hub event routes'");
      expect(stderr).toContain('route connection-state-to-ingest is not enabled for DeviceConnectionStateEvents');
      expect(stderr).toContain('route digital-twin-changes-to-ingest (DigitalTwinChangeEvents) is missing');
      expect(stderr).toContain('enrichment twinId = $twin.tags.twinId is missing');
      expect(stderr).toContain("run 'azd provision' again");
    });

    it('says when a route is on at the hub but off in main.bicep', () => {
      const { status, stdout } = run([], {
        ...withRoutes,
        IOT_HUB_EVENT_ROUTES: 'lifecycle',
        FAKE_AZ_IOT_HUB_ROUTING: JSON.stringify(hubRouting),
      });
      expect(status).toBe(0);
      expect(stdout).toContain('route twin-changes-to-ingest (TwinChangeEvents) is enabled on the hub but off in main.bicep');
    });

    it('does not read the hub when nothing is switched on', () => {
      const { status, stdout, calls } = run([], { ...azdHookEnv, IOT_HUB_NAME: 'iot-abc', IOT_HUB_EVENT_ROUTES: '' });
      expect(status).toBe(0);
      expect(azCalls(calls).some((c) => azCommand(c) === 'iot hub show')).toBe(false);
      expect(stdout).toContain('no IoT Hub event routes or enrichment switched on');
    });
  });
});
