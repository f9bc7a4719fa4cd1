#!/usr/bin/env node
// Stand-in for the Azure CLI in post-deploy script tests: logs each call as a JSON line and
// answers from FAKE_AZ_* environment variables.
const { appendFileSync, existsSync, readFileSync, writeFileSync } = require('node:fs');

const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_AZ_LOG, `${JSON.stringify(args)}\n`);
const command = args.filter((a) => !a.startsWith('-')).slice(0, 3).join(' ');

if (command.startsWith('functionapp function show')) {
  if (process.env.FAKE_AZ_FUNCTION_MISSING === '1') {
    process.stderr.write('ResourceNotFound\n');
    process.exit(3);
  }
  process.stdout.write('propagateTwinChanges\n');
} else if (command.startsWith('deployment group show')) {
  const query = args[args.indexOf('--query') + 1] ?? '';
  const name = /^properties\.outputs\.(\w+)\.value$/.exec(query)?.[1];
  const outputs = JSON.parse(process.env.FAKE_AZ_OUTPUTS ?? '{}');
  if (name && outputs[name] !== undefined) process.stdout.write(`${outputs[name]}\n`);
  else process.exit(3);
} else if (command.startsWith('rest')) {
  // Fail the first FAKE_AZ_REST_FAILURES calls, as a not-yet-propagated role would.
  const counter = `${process.env.FAKE_AZ_LOG}.rest`;
  const calls = (existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0) + 1;
  writeFileSync(counter, String(calls));
  if (calls <= Number(process.env.FAKE_AZ_REST_FAILURES ?? '0')) {
    process.stderr.write('Forbidden\n');
    process.exit(1);
  }
}
