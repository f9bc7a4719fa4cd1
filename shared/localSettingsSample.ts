// local.settings.sample.json is generated from the settings catalogue so it cannot drift:
// `node dist/shared/localSettingsSample.js > local.settings.sample.json` (a test compares them).

import { hostSettings, settings, type SettingSpec } from './settings';

export function localSettingsSample(): { IsEncrypted: false; Values: Record<string, string> } {
  const all: SettingSpec[] = [...hostSettings, ...Object.values(settings)];
  const values: Record<string, string> = {};
  for (const spec of all) values[spec.name] = spec.sample;
  return { IsEncrypted: false, Values: values };
}

if (require.main === module) process.stdout.write(`${JSON.stringify(localSettingsSample(), null, 2)}\n`);
