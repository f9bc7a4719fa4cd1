// local/CORE-TOOLS.md promises two things about settings: its table names every setting of
// local.settings.sample.json, and the `func start` against the emulator settings are exactly what
// the local host (npm run local) gives the app, plus what only the Functions host reads.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { azuriteDeadLetterSettings } from '../../../local/runner/deadLetters';
import { localHostAppSettings } from '../../../local/runner/hostAppSettings';
import { connections } from '../../../shared/settings';

const root = join(__dirname, '..', '..', '..');
const guide = readFileSync(join(root, 'local', 'CORE-TOOLS.md'), 'utf8');
const sample = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };

/** The text from `## <heading>` to the next `## `. */
function section(heading: string): string {
  const start = guide.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`CORE-TOOLS.md has no "## ${heading}" section`);
  const end = guide.indexOf('\n## ', start + 4);
  return guide.slice(start, end < 0 ? undefined : end);
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe('local/CORE-TOOLS.md settings', () => {
  it('the Settings table names exactly the settings of local.settings.sample.json', () => {
    const table = section('Settings')
      .split('\n')
      .map((line) => /^\| `([^`]+)` \|/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(sorted(table)).toEqual(sorted(Object.keys(sample.Values)));
  });

  it('func start against the emulator: the settings the local host sets, plus the host-only ones and the disabled Event Hubs trigger', () => {
    const emulatorPath = section('`func start` against the offline emulator');
    const json = /```json\n([\s\S]*?)```/.exec(emulatorPath)?.[1];
    expect(json).toBeDefined();
    const shown = (JSON.parse(json ?? '{}') as { Values: Record<string, string> }).Values;

    // What npm run local gives the app with Azurite dead letters, a deadline and one instance.
    const localHost = localHostAppSettings({
      adtUrl: 'https://127.0.0.1:4443',
      pipelineConfigPath: 'local/scenarios/building/pipeline.yaml',
      deadLetterSettings: azuriteDeadLetterSettings('http://127.0.0.1:10000/devstoreaccount1'),
      ingestDeadlineSeconds: 240,
      instances: 1,
    });
    const hostOnly = [connections.hostStorage, 'FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobs.ingestTelemetry.Disabled'];
    expect(sorted(Object.keys(shown))).toEqual(sorted([...Object.keys(localHost), ...hostOnly]));

    // The values that make this path work, not only the names.
    expect(shown['AzureWebJobs.ingestTelemetry.Disabled']).toBe('true');
    for (const name of ['EventHubName', 'EventHubConsumerGroup', 'PIPELINE_CONFIG_PATH', 'ADT_MAX_INSTANCES', 'INGEST_DEADLINE_SECONDS']) {
      expect([name, shown[name]]).toEqual([name, localHost[name]]);
    }
    expect(shown.ADT_SERVICE_URL).toBe('https://127.0.0.1:4443');
    // Every name is one the sample lists too, except the host's own switch.
    expect(Object.keys(shown).filter((name) => !(name in sample.Values))).toEqual(['AzureWebJobs.ingestTelemetry.Disabled']);
  });

  it('names the trigger the app registers, and the CA the emulator writes', () => {
    const registration = readFileSync(join(root, 'functions', 'ingestTelemetry.ts'), 'utf8');
    expect(registration).toMatch(/app\.eventHub(<[^>]*>)?\(\s*'ingestTelemetry'/);
    expect(guide).toContain('AzureWebJobs.ingestTelemetry.Disabled');
    const emulatorDefaults = readFileSync(join(root, 'local', 'emulator', 'cliArgs.ts'), 'utf8');
    const certDir = /DEFAULT_CERT_DIR = '([^']+)'/.exec(emulatorDefaults)?.[1];
    expect(guide).toContain(`NODE_EXTRA_CA_CERTS="$PWD/${certDir}/cert.pem" func start`);
  });
});
