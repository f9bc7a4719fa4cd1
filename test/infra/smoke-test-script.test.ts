// scripts/smoke-test.sh against fake az/azd/curl/npm: what it runs, in which subscription and
// tenant, and that it passes only when the room's derived temperature really changes.

import { argOf, azCommand, ScriptHarness, type ToolCall } from './support/scriptHarness';

const env = {
  AZURE_SUBSCRIPTION_ID: 'sub-azd',
  AZURE_TENANT_ID: 'tenant-1',
  AZURE_RESOURCE_GROUP: 'rg-test',
  ADT_SERVICE_URL: 'https://dt-abc.api.weu.digitaltwins.azure.net',
  TELEMETRY_SOURCE: 'eventHub',
  EVENT_HUB_FULLY_QUALIFIED_NAMESPACE: 'evhns-abc.servicebus.windows.net',
  EVENT_HUB_NAME: 'telemetry',
};
const room = (temperature: number | undefined, at: string) => ({
  $dtId: 'room-101',
  ...(temperature === undefined ? {} : { temperature }),
  $metadata: temperature === undefined ? {} : { temperature: { lastUpdateTime: at } },
});

let harness: ScriptHarness;
beforeEach(() => (harness = new ScriptHarness()));
afterEach(() => harness.dispose());

const run = (args: string[], extra: Record<string, string>) => harness.run('smoke-test.sh', args, { ...env, ...extra });
const npmCalls = (calls: ToolCall[]) => calls.filter((c) => c.tool === 'npm');

describe('scripts/smoke-test.sh', () => {
  it('seeds, sends through the deployed Event Hub, and passes once the room temperature changes, printing the lag', () => {
    const bodies = [room(undefined, ''), room(undefined, ''), room(21.4, '2026-12-01T10:00:05Z')];
    const { status, stdout, stderr, calls } = run([], { FAKE_CURL_GET_BODIES: JSON.stringify(bodies) });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const [seed, simulate] = npmCalls(calls) as [ToolCall, ToolCall];
    expect(seed.args).toEqual(['run', '--silent', 'seed', '--', '--adt-url', env.ADT_SERVICE_URL]);
    expect(simulate.args.slice(0, 4)).toEqual(['run', '--silent', 'simulate', '--']);
    expect(argOf(simulate, '--event-hub-namespace')).toBe('evhns-abc.servicebus.windows.net');
    expect(argOf(simulate, '--event-hub-name')).toBe('telemetry');
    expect(argOf(simulate, '--count')).toBe('90');
    // Twin reads go to the deployed instance with a token for the deployment's subscription.
    const gets = calls.filter((c) => c.tool === 'curl');
    expect(gets).toHaveLength(3);
    expect(gets.every((c) => c.args.at(-1) === `${env.ADT_SERVICE_URL}/digitaltwins/room-101?api-version=2023-10-31`)).toBe(true);
    const pinned = calls.filter((c) => c.tool === 'az' && argOf(c, '--subscription') !== undefined);
    expect(pinned.map(azCommand)).toEqual(['account show', 'account get-access-token']);
    expect(pinned.every((c) => argOf(c, '--subscription') === 'sub-azd')).toBe(true);
    expect(stdout).toContain('room-101 temperature now: 21.4');
    expect(stdout).toMatch(/PASSED: device messages reached the room's derived value in \d+ s after sending began/);
  });

  it('honours SMOKE_MESSAGES, SMOKE_RATE, SMOKE_POLL_SECONDS and --room', () => {
    const bodies = [room(undefined, ''), room(undefined, ''), room(19.5, 'x')];
    const { status, calls } = run(['--room', 'room-202', '--skip-seed'], {
      FAKE_CURL_GET_BODIES: JSON.stringify(bodies),
      SMOKE_MESSAGES: '12',
      SMOKE_RATE: '3',
      SMOKE_POLL_SECONDS: '2',
    });
    expect(status).toBe(0);
    const simulate = npmCalls(calls)[0] as ToolCall;
    expect([argOf(simulate, '--count'), argOf(simulate, '--rate')]).toEqual(['12', '3']);
    expect(calls.filter((c) => c.tool === 'curl').every((c) => c.args.at(-1)?.includes('/digitaltwins/room-202?'))).toBe(true);
    expect(calls.filter((c) => c.tool === 'sleep').map((c) => c.args[0])).toEqual(['2']);
  });

  it('counts a rewrite of an existing value as a change (its lastUpdateTime moves)', () => {
    const bodies = [room(21, '2026-12-01T09:00:00Z'), room(21, '2026-12-01T09:00:00Z'), room(21, '2026-12-01T10:00:00Z')];
    const { status } = run(['--skip-seed'], { FAKE_CURL_GET_BODIES: JSON.stringify(bodies) });
    expect(status).toBe(0);
  });

  it('exits 1 when the room never changes, and says where to look', () => {
    const { status, stderr } = run(['--skip-seed'], {
      FAKE_CURL_GET_BODIES: JSON.stringify([room(21, '2026-12-01T09:00:00Z')]),
      SMOKE_TIMEOUT_SECONDS: '0',
    });
    expect(status).toBe(1);
    expect(stderr).toContain("room-101 still shows '21'");
    expect(stderr).toContain('Application Insights');
  });

  it("--bulk-seed seeds through one import job with the deployment's storage and containers", () => {
    const bulkEnv = {
      STORAGE_BLOB_ENDPOINT: 'https://stabc.blob.core.windows.net/',
      IMPORT_CONTAINER: 'adt-import',
      IMPORT_LOG_CONTAINER: 'adt-import-logs',
    };
    const { status, calls } = run(['--bulk-seed'], {
      ...bulkEnv,
      FAKE_CURL_GET_BODIES: JSON.stringify([room(undefined, ''), room(21, 'x')]),
    });
    expect(status).toBe(0);
    const [seed] = npmCalls(calls) as [ToolCall];
    expect(seed.args).toEqual([
      'run',
      '--silent',
      'seed',
      '--',
      '--adt-url',
      env.ADT_SERVICE_URL,
      '--bulk',
      '--storage',
      bulkEnv.STORAGE_BLOB_ENDPOINT,
      '--container',
      'adt-import',
      '--log-container',
      'adt-import-logs',
    ]);
    const failed = run(['--bulk-seed'], { ...bulkEnv, FAKE_NPM_FAIL: 'seed' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('Storage Blob Data Contributor');
  });

  it('--skip-seed does not seed', () => {
    const { calls } = run(['--skip-seed'], { FAKE_CURL_GET_BODIES: JSON.stringify([room(undefined, ''), room(20, 'x')]) });
    expect(npmCalls(calls).map((c) => c.args[2])).toEqual(['simulate']);
  });

  it("refuses to run the Node tools when az's default account is in another tenant", () => {
    const { status, stderr, calls } = run([], { FAKE_AZ_DEFAULT_TENANT: 'tenant-other' });
    expect(status).toBe(1);
    expect(stderr).toContain("az's default account is in tenant tenant-other, the deployment in tenant-1");
    expect(stderr).toContain('az account set --subscription sub-azd');
    expect(npmCalls(calls)).toEqual([]);
  });

  it('names the missing role when seeding or sending fails', () => {
    const seedFails = run([], { FAKE_NPM_FAIL: 'seed' });
    expect(seedFails.status).toBe(1);
    expect(seedFails.stderr).toContain("FAILED at step 'seed the sample building");
    expect(seedFails.stderr).toContain('Azure Digital Twins Data Owner');
    const sendFails = run(['--skip-seed'], { FAKE_NPM_FAIL: 'simulate', FAKE_CURL_GET_BODIES: JSON.stringify([room(undefined, '')]) });
    expect(sendFails.status).toBe(1);
    expect(sendFails.stderr).toContain('Azure Event Hubs Data Sender');
  });

  it('explains why builtIn deployments cannot be smoke-tested this way', () => {
    const { status, stderr, calls } = run([], { TELEMETRY_SOURCE: 'builtIn' });
    expect(status).toBe(1);
    expect(stderr).toContain('TELEMETRY_SOURCE=builtIn');
    expect(npmCalls(calls)).toEqual([]);
  });
  describe('device lifecycle events (route switched on)', () => {
    const lifecycleEnv = {
      IOT_HUB_NAME: 'iot-abc',
      IOT_HUB_EVENT_ROUTES: 'lifecycle,twinChanges',
      FAKE_CURL_GET_BODIES: JSON.stringify([room(undefined, ''), room(21.4, 'x')]),
    };
    const deviceCalls = (calls: ToolCall[]) => calls.filter((c) => c.tool === 'az' && azCommand(c).startsWith('iot hub device-identity'));

    it('creates a twin and a device of one id, deletes the device, and passes once the lifecycle event removed the twin', () => {
      // GETs: the room before, the room changed, then the device twin still there, then gone.
      const { status, stdout, stderr, calls } = run(['--skip-seed'], { ...lifecycleEnv, FAKE_CURL_GET_STATUSES: '200,200,200,404' });
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const put = calls.find((c) => c.tool === 'curl' && argOf(c, '--request') === 'PUT') as ToolCall;
      const device = /\/digitaltwins\/(smoke-device-\d+)\?/.exec(put.args.at(-1) ?? '')?.[1];
      expect(device).toBeDefined();
      const [create, remove] = deviceCalls(calls) as [ToolCall, ToolCall];
      expect([azCommand(create), azCommand(remove)]).toEqual(['iot hub device-identity create', 'iot hub device-identity delete']);
      for (const call of [create, remove]) {
        expect([argOf(call, '--hub-name'), argOf(call, '--device-id'), argOf(call, '--resource-group')]).toEqual([
          'iot-abc',
          device,
          'rg-test',
        ]);
        expect(argOf(call, '--subscription')).toBe('sub-azd');
      }
      // The twin is created before the identity, read until it is gone.
      const order = calls.map((c) => (c.tool === 'curl' ? `curl ${argOf(c, '--request')}` : `${c.tool} ${azCommand(c)}`));
      expect(order.indexOf('curl PUT')).toBeLessThan(order.indexOf('az iot hub device-identity create'));
      const twinReads = calls.filter(
        (c) => c.tool === 'curl' && c.args.at(-1)?.includes(`/digitaltwins/${device}?`) && argOf(c, '--request') === 'GET',
      );
      expect(twinReads).toHaveLength(2);
      expect(stdout).toContain('[6/6] retire a device through a device lifecycle event');
      expect(stdout).toMatch(new RegExp(`PASSED: the device lifecycle event retired twin ${device} in \\d+ s`));
    });

    it('exits 1 when the twin stays, naming the route and how to clean up', () => {
      const { status, stderr } = run(['--skip-seed'], { ...lifecycleEnv, SMOKE_TIMEOUT_SECONDS: '0' });
      expect(status).toBe(1);
      expect(stderr).toContain('is still in ADT 0s after its device was deleted');
      expect(stderr).toContain('device-lifecycle-to-ingest');
      expect(stderr).toContain('az dt twin delete');
    });

    it('needs the azure-iot extension, and says how to add it before creating anything', () => {
      const { status, stderr, calls } = run(['--skip-seed'], { ...lifecycleEnv, FAKE_AZ_NO_IOT_EXTENSION: '1' });
      expect(status).toBe(1);
      expect(stderr).toContain('az extension add --name azure-iot');
      expect(deviceCalls(calls)).toEqual([]);
      expect(calls.some((c) => c.tool === 'curl' && argOf(c, '--request') === 'PUT')).toBe(false);
    });

    it('is skipped when the lifecycle route is off, or with --skip-device-events', () => {
      const off = run(['--skip-seed'], { ...lifecycleEnv, IOT_HUB_EVENT_ROUTES: 'connectionState' });
      expect(off.status).toBe(0);
      expect(off.stdout).toContain('skipped: main.bicep does not route device lifecycle events');
      expect(deviceCalls(off.calls)).toEqual([]);
      const skipped = run(['--skip-seed', '--skip-device-events'], lifecycleEnv);
      expect(skipped.status).toBe(0);
      expect(skipped.stdout).toContain('skipped (--skip-device-events)');
      expect(deviceCalls(skipped.calls)).toEqual([]);
    });
  });
});
