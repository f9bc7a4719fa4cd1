// `npm run map` previews every kind of IoT Hub event as the pipeline maps it: the connected-devices
// scenario's connection state, twin change and digital twin change events end on the previewed twins
// where `npm run local` leaves them (test/e2e/deviceEvents.test.ts), an older sequence number shows as
// stale, and an unhandled kind as filtered.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describePreview } from '../../../local/map/cli';
import { ScenarioPreviewer } from '../../../local/map/preview';
import { parseEnvelopes } from '../../../local/runner/envelope';
import { loadScenario } from '../../../local/scenario';

const scenario = join(__dirname, '..', '..', '..', 'local', 'scenarios', 'connected-devices');
const telemetryPath = join(scenario, 'telemetry.ndjson');

it('previews each kind and ends where the local loop does', async () => {
  const previewer = new ScenarioPreviewer(loadScenario(scenario));
  const lines: string[] = [];
  const envelopes = parseEnvelopes(readFileSync(telemetryPath, 'utf8'), telemetryPath);
  for (const [index, envelope] of envelopes.entries()) lines.push(describePreview(await previewer.preview(envelope), index));
  const text = lines.join('\n');
  expect(previewer.twin('sensor-2')).toMatchObject({ connectionState: 'Disconnected', temperature: 24.5 });
  expect(text).toContain('device sensor-1, enqueued 2024-05-01T08:00:00.000Z, deviceConnectionStateEvents deviceConnected');
  expect(text).toContain('add /connectionState "Connected"');
  expect(text).toMatch(
    /stale connectionState: .* is older than the stored sequence number 0+1D8713FF7E0851400000002000000000000000000000005/,
  );
  expect(text).toContain('digitalTwinChangeEvents updateTwin');
  expect(text).toContain('add /temperature 24.5');
  expect(text).toContain('filtered (no-reported-change)');
  expect(text).toContain('create twin sensor-3 (dtmi:example:connected:Sensor;1)');
  expect(text).toContain('filtered (twin-exists): twin sensor-3 exists already');
  expect(text).toContain('filtered (no-model-for-device)');
  expect(text).toContain('retire twin sensor-1: its relationships, then the twin');
  expect(text).toContain('filtered (twin-already-gone)');
  expect(previewer.twin('sensor-1')).toBeUndefined();
  expect(previewer.twin('sensor-3')).toMatchObject({ connectionState: 'Connected' });
});
