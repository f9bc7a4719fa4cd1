#!/usr/bin/env node
// Stand-ins for az, azd, curl, npm and sleep in script tests (which one: FAKE_TOOL). Each logs its call
// as a JSON line {tool, args} to FAKE_LOG and answers from FAKE_* environment variables.
const { appendFileSync, existsSync, readFileSync, writeFileSync } = require('node:fs');

const tool = process.env.FAKE_TOOL;
const args = process.argv.slice(2);
const log = process.env.FAKE_LOG;
appendFileSync(log, `${JSON.stringify({ tool, args })}\n`);
const value = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

/** Counts calls of one kind across processes; true while the first FAKE_<kind>_FAILURES calls fail. */
function failingCall(kind) {
  const counter = `${log}.${kind}`;
  const calls = (existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0) + 1;
  writeFileSync(counter, String(calls));
  return calls <= Number(process.env[`FAKE_${kind.toUpperCase()}_FAILURES`] ?? '0');
}

function jwt(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.sig`;
}

function az() {
  const command = args
    .filter((a) => !a.startsWith('-'))
    .slice(0, 3)
    .join(' ');
  if (command.startsWith('account show')) {
    const sub = value('--subscription');
    const tenant = process.env.FAKE_AZ_TENANT ?? 'tenant-1';
    // Without --subscription az answers for its default account (what the Node tools' AzureCliCredential uses).
    if (value('--query') === 'tenantId') return process.stdout.write(`${sub ? tenant : (process.env.FAKE_AZ_DEFAULT_TENANT ?? tenant)}\n`);
    return process.stdout.write(`${sub ?? process.env.FAKE_AZ_DEFAULT_SUBSCRIPTION ?? 'sub-default'}\n`);
  }
  if (command.startsWith('account get-access-token'))
    return process.stdout.write(`${jwt({ oid: process.env.FAKE_AZ_OID ?? 'deployer-oid' })}\n`);
  if (command.startsWith('functionapp function show')) {
    if (process.env.FAKE_AZ_FUNCTION_MISSING === '1') {
      process.stderr.write('ResourceNotFound\n');
      process.exit(3);
    }
    return process.stdout.write('propagateTwinChanges\n');
  }
  if (command.startsWith('functionapp keys list')) {
    if (failingCall('keys')) return process.stdout.write('None\n');
    return process.stdout.write(`${process.env.FAKE_AZ_EVENTGRID_KEY ?? 'fake-extension-key'}\n`);
  }
  // IoT Hub: its routing as FAKE_AZ_IOT_HUB_ROUTING (JSON); device identities are only logged.
  if (command.startsWith('iot hub show')) return process.stdout.write(process.env.FAKE_AZ_IOT_HUB_ROUTING ?? '{}');
  if (command.startsWith('iot hub device-identity')) {
    if (process.env.FAKE_AZ_DEVICE_IDENTITY_FAIL === '1') {
      process.stderr.write('Forbidden: the principal cannot write the identity registry\n');
      process.exit(1);
    }
    return process.stdout.write('{}');
  }
  if (command.startsWith('extension show')) {
    if (process.env.FAKE_AZ_NO_IOT_EXTENSION === '1') {
      process.stderr.write('ERROR: The extension azure-iot is not installed.\n');
      process.exit(1);
    }
    return process.stdout.write('{"name":"azure-iot"}');
  }
  if (command.startsWith('deployment group show')) {
    const outputs = JSON.parse(process.env.FAKE_AZ_OUTPUTS ?? '{}');
    if (process.env.FAKE_AZ_DEPLOYMENT_MISSING === '1') {
      process.stderr.write('DeploymentNotFound\n');
      process.exit(3);
    }
    return process.stdout.write(
      JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { type: 'String', value: v }]))),
    );
  }
  if (command.startsWith('deployment group create')) {
    // Keep what the private parameter file held, for the test to inspect after the script deleted it.
    const file = value('--parameters')?.replace(/^@/, '');
    if (file && existsSync(file)) writeFileSync(`${log}.parameters.json`, readFileSync(file));
    if (failingCall('deploy')) {
      process.stderr.write('Webhook validation handshake failed\n');
      process.exit(1);
    }
  }
}

function curl() {
  const out = value('--output');
  const method = value('--request') ?? 'GET';
  const statuses = (process.env[`FAKE_CURL_${method}_STATUSES`] ?? '').split(',').filter(Boolean);
  const counter = `${log}.curl-${method}`;
  const call = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
  writeFileSync(counter, String(call + 1));
  const status = statuses[Math.min(call, statuses.length - 1)] ?? '200';
  // GET answers from FAKE_CURL_GET_BODIES (JSON array, one body per call, the last repeats).
  const bodies = JSON.parse(process.env.FAKE_CURL_GET_BODIES ?? '[]');
  const body =
    method === 'GET' && bodies.length > 0
      ? JSON.stringify(bodies[Math.min(call, bodies.length - 1)])
      : status.startsWith('2')
        ? '{}'
        : '{"error":{"code":"Forbidden"}}';
  if (out) writeFileSync(out, body);
  process.stdout.write(status);
}

function azd() {
  if (args.slice(0, 2).join(' ') === 'env get-values') {
    if (!process.env.FAKE_AZD_ENV) {
      process.stderr.write('ERROR: no project exists\n');
      process.exit(1);
    }
    process.stdout.write(process.env.FAKE_AZD_ENV);
  }
}

function npm() {
  if (process.env.FAKE_NPM_FAIL && args.includes(process.env.FAKE_NPM_FAIL)) {
    process.stderr.write(`npm run ${process.env.FAKE_NPM_FAIL} failed\n`);
    process.exit(1);
  }
}

// Logged only: scripts wait with sleep, tests check for how long without waiting.
function sleep() {}

({ az, curl, azd, npm, sleep })[tool]();
