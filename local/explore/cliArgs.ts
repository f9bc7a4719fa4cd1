// Flags of `npm run explore` → ExploreOptions. Pure, so it is unit tested without starting anything.
import { parseArgs } from 'node:util';

import { DEFAULT_CERT_DIR } from '../emulator/cliArgs';

export const HELP = `Usage: npm run explore -- [flags]

The twin graph as an explorer you can keep open: the graph (updated live), a query box (ADT's query
language; results drawn on the graph and listed in a table; errors shown as ADT returns them), the
models and their contents, and — with --allow-writes — JSON Patch edits of a twin and adding or
deleting relationships, all through the ADT data plane (so change notifications, and roll-ups, follow).
The page is served on 127.0.0.1 only; its URL is printed at start. Ctrl+C stops it.

  (no --adt-url)          Explore the local loop: the embedded emulator with the scenario's twins, the real
                          function app and propagation, as npm run local -- --follow runs it (the scenario's
                          telemetry is replayed first; envelopes are accepted on a free ingress port).
  --scenario <dir>        Scenario of the local loop (default local/scenarios/building).
  --adt-url <https://…>   Explore this instance instead. A real instance is reached with DefaultAzureCredential
                          (az login, environment variables or a managed identity; the Azure Digital Twins
                          Data Reader role reads, Data Owner writes). A loopback URL (https://127.0.0.1:<port>
                          or https://localhost:<port>) is an emulator (npm run emulator): its certificate is
                          trusted (--ca) and any token is accepted.
  --ca <file.pem>         The emulator's certificate, for --adt-url of an emulator (default
                          ${DEFAULT_CERT_DIR}/cert.pem, where npm run emulator keeps it).
  --allow-writes          Let the page patch twins and add or delete relationships. Without it the explorer
                          is read-only: every write is refused with 403 before anything reaches ADT.
  --port <n>              Port of the page (default: a free port).
  --help                  Show this text.

See docs/EXPLORER.md.`;

export interface ExploreOptions {
  help: boolean;
  /** Absent: the local loop with its embedded emulator. */
  adtUrl?: string;
  /** PEM file of the emulator's certificate (loopback --adt-url only). */
  ca?: string;
  allowWrites: boolean;
  /** 0 = a free port. */
  port: number;
  scenario?: string;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An emulator is on this machine; a real instance never is. */
export function isEmulatorUrl(url: string): boolean {
  return loopbackHosts.has(new URL(url).hostname.toLowerCase());
}

export function parseExploreArgs(argv: string[]): ExploreOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean' },
      'adt-url': { type: 'string' },
      ca: { type: 'string' },
      'allow-writes': { type: 'boolean' },
      port: { type: 'string' },
      scenario: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new Error(`Unexpected argument "${positionals[0]}". Run with --help for usage.`);
  const options: ExploreOptions = { help: values.help === true, allowWrites: values['allow-writes'] === true, port: 0 };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port must be a port number, 0..65535 (got "${values.port}").`);
    options.port = port;
  }
  const url = values['adt-url'];
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`--adt-url must be the instance URL, https://<name>.api.<region>.digitaltwins.azure.net (got "${url}").`);
    }
    // The SDK refuses to send a bearer token over plain http, so an http URL could never work.
    if (parsed.protocol !== 'https:')
      throw new Error(`--adt-url must be an https URL (got "${url}"): ADT and the emulator are HTTPS only.`);
    options.adtUrl = url.replace(/\/+$/, '');
    if (values.scenario !== undefined) throw new Error("--scenario is the local loop's; with --adt-url the instance is explored as it is.");
  }
  if (values.ca !== undefined) {
    if (options.adtUrl === undefined || !isEmulatorUrl(options.adtUrl))
      throw new Error(
        '--ca is the certificate of an emulator: use it with --adt-url https://127.0.0.1:<port> (a real instance has a public certificate).',
      );
    options.ca = values.ca;
  }
  if (values.scenario !== undefined) options.scenario = values.scenario;
  return options;
}
