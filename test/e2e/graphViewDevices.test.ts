// The live graph page follows what IoT Hub's events and the time rules do to twins (issues 26, 27), in
// a real browser (Debian's Chromium through playwright-core): a connection state event turns a node's
// border and badge from Disconnected to Connected; a condition raised on the room outlines it; a
// twin marked stale gets its halo; a device created by a lifecycle event fades in as a new node,
// and one deleted goes away with its relationship — each with a line in "Changes", no reload.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { browserPath, browserTestIn, haveBrowser, installHint, watchConsole } from './support/browser';
import { repoRoot, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

// What the page functions below touch, typed here (the test program has no DOM library).
interface Node {
  empty(): boolean;
  emit(event: string): void;
  hasClass(name: string): boolean;
  data(key: string): unknown;
}
interface TwinGraph {
  cy: { getElementById(id: string): Node; edges(): { map<T>(f: (e: { data(key: string): unknown }) => T): T[] } };
  twin(id: string): unknown;
  leaving(): string[];
}
declare const window: { twinGraph?: TwinGraph };
declare const document: {
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null; hidden: boolean; getAttribute(n: string): string | null }>;
};

const browserTest = browserTestIn(__filename);

const sensorModel = 'dtmi:example:connected:Sensor;1';
const roomModel = 'dtmi:example:connected:Room;1';

/** The connected-devices sample with a condition on the room and staleness on the sensors. */
function scenarioWithTimeRules(): string {
  const dir = tempDir('graph-devices');
  cpSync(join(repoRoot, 'local', 'scenarios', 'connected-devices'), dir, { recursive: true });
  const addProperties = (file: string, contents: Array<Record<string, unknown>>): void => {
    const path = join(dir, 'models', file);
    const model = JSON.parse(readFileSync(path, 'utf8')) as { contents: unknown[] };
    model.contents.push(...contents);
    writeFileSync(path, JSON.stringify(model, null, 2));
  };
  addProperties('Room.json', [
    { '@type': 'Property', name: 'tooWarm', schema: 'boolean' },
    { '@type': 'Property', name: 'tooWarmSince', schema: 'dateTime' },
  ]);
  addProperties('Sensor.json', [{ '@type': 'Property', name: 'stale', schema: 'boolean' }]);
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    `${readFileSync(join(dir, 'pipeline.yaml'), 'utf8')}  conditions:
    - name: too-warm
      model: ${roomModel}
      when: temperature > 27
      clear: temperature < 26
      write: { property: tooWarm, since: tooWarmSince }
  staleness:
    - { model: ${sensorModel}, maxAge: 900 }
`,
  );
  return dir;
}

const systemProperties = (source: string) => ({
  'iothub-message-source': source,
  'content-type': 'application/json',
  'content-encoding': 'utf-8',
});
const sequence = (n: number) => `000000000000000001D8713FF7E08514000000020000000000000000${n.toString(16).toUpperCase().padStart(8, '0')}`;

function connectionEvent(deviceId: string, opType: 'deviceConnected' | 'deviceDisconnected', n: number) {
  const at = new Date().toISOString();
  return {
    deviceId,
    enqueuedTime: at,
    messageId: `${deviceId}-${opType}-${n}`,
    properties: { hubName: 'hub', deviceId, opType, operationTimestamp: at },
    systemProperties: systemProperties('deviceConnectionStateEvents'),
    body: { sequenceNumber: sequence(n) },
  };
}

function lifecycleEvent(deviceId: string, opType: 'createDeviceIdentity' | 'deleteDeviceIdentity') {
  const at = new Date().toISOString();
  return {
    deviceId,
    enqueuedTime: at,
    messageId: `${deviceId}-${opType}`,
    properties: { hubName: 'hub', deviceId, opType, operationTimestamp: at },
    systemProperties: systemProperties('deviceLifecycleEvents'),
    body: { deviceId, etag: 'AAAAAAAAAAE=', version: 2, modelId: sensorModel },
  };
}

async function send(ingressUrl: string, envelope: unknown): Promise<void> {
  const res = await fetch(`${ingressUrl}/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: `${JSON.stringify(envelope)}\n`,
  });
  expect(res.status).toBe(202);
}

const hasClass = (page: Page, id: string, name: string) =>
  page.waitForFunction(([twin, c]) => (window.twinGraph as TwinGraph).cy.getElementById(twin as string).hasClass(c as string), [id, name], {
    timeout: 30_000,
  });

const changeListed = (page: Page, text: string) =>
  page.waitForFunction((t) => Array.from(document.querySelectorAll('#changes li')).some((li) => (li.textContent ?? '').includes(t)), text, {
    timeout: 30_000,
  });

const label = (page: Page, id: string) =>
  page.evaluate((twin) => String((window.twinGraph as TwinGraph).cy.getElementById(twin).data('label')), id);

browserTest(
  'connection state, a raised condition, a stale twin, and twins created and deleted by lifecycle events show live',
  async () => {
    if (!haveBrowser) throw new Error(installHint);
    const abort = new AbortController();
    let ingressUrl!: string;
    let graphReady!: (url: string) => void;
    const graphUrl = new Promise<string>((done) => (graphReady = done));
    const finished = runLocal({
      scenario: scenarioWithTimeRules(),
      follow: true,
      ingressPort: 0,
      graphPort: 0,
      allowWrites: true,
      signal: abort.signal,
      onIngress: (url) => (ingressUrl = url),
      onGraph: graphReady,
    });
    let browser: Browser | undefined;
    try {
      const url = await Promise.race([
        graphUrl,
        finished.then(() => Promise.reject(new Error('the run ended before the graph page was served'))),
      ]);
      browser = await chromium.launch({ executablePath: browserPath });
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const consoleErrors = watchConsole(page);
      await page.goto(url);
      await page.waitForFunction(() => window.twinGraph !== undefined);
      await page.waitForSelector('#status.live');

      // The sample's replay ends with sensor-1 retired, sensor-2 disconnected and sensor-5 created.
      await page.waitForFunction(
        () => {
          const g = window.twinGraph as TwinGraph;
          return g.cy.getElementById('sensor-1').empty() && !g.cy.getElementById('sensor-5').empty();
        },
        undefined,
        { timeout: 60_000 },
      );
      await hasClass(page, 'sensor-2', 'disconnected');
      expect(await label(page, 'sensor-2')).toContain('○ Disconnected');

      // The rules list shows the roll-ups, the condition and the staleness entry.
      const rules = await page.evaluate(() =>
        Array.from(document.querySelectorAll('#rules li')).map((li) => `${li.getAttribute('data-kind')} ${li.getAttribute('data-rule')}`),
      );
      expect(rules).toEqual(['rollup room-climate', 'rollup room-connected', 'condition too-warm', 'staleness stale Sensor']);

      // Connected again: border and badge change, and the change is listed.
      await send(ingressUrl, connectionEvent('sensor-2', 'deviceConnected', 0x10));
      await hasClass(page, 'sensor-2', 'connected');
      expect(await page.evaluate(() => (window.twinGraph as TwinGraph).cy.getElementById('sensor-2').hasClass('disconnected'))).toBe(false);
      expect(await label(page, 'sensor-2')).toContain('● Connected');
      await changeListed(page, 'sensor-2 Connected');

      // The room's average goes above 27: the condition is raised on the room (outline and badge).
      const now = new Date().toISOString();
      await send(ingressUrl, { deviceId: 'sensor-2', enqueuedTime: now, messageId: 'warm-1', body: { temperature: 29 } });
      await hasClass(page, 'room-1', 'condition-raised');
      expect(await label(page, 'room-1')).toContain('▲ too-warm');
      await changeListed(page, 'room-1 condition too-warm raised');
      // The panel says it in words, and names the rule that writes the state.
      await page.evaluate(() => {
        (window.twinGraph as TwinGraph).cy.getElementById('room-1').emit('tap');
      });
      await expect(page.locator('#twin-states').textContent()).resolves.toMatch(/condition too-warm: raised since \d{4}-/);
      await expect(page.locator('#properties tr[data-property="tooWarm"]').textContent()).resolves.toContain(
        'too-warm: condition: raised when',
      );

      // A device provisioned: its twin appears as a new node, no reload.
      await send(ingressUrl, lifecycleEvent('sensor-9', 'createDeviceIdentity'));
      await page.waitForFunction(() => !(window.twinGraph as TwinGraph).cy.getElementById('sensor-9').empty(), undefined, {
        timeout: 30_000,
      });
      await changeListed(page, 'sensor-9 appeared (Sensor)');

      // Marked stale (as the sweep marks it): the halo and badge.
      const patched = await fetch(`${url}/adt/digitaltwins/sensor-9`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([{ op: 'add', path: '/stale', value: true }]),
      });
      expect(patched.ok).toBe(true);
      await hasClass(page, 'sensor-9', 'stale');
      expect(await label(page, 'sensor-9')).toContain('◌ stale');
      await changeListed(page, 'sensor-9 stale');

      // The legend explains every state shown, in words as well as colours.
      const legend = await page.evaluate(() =>
        Array.from(document.querySelectorAll('#state-legend li'))
          .filter((li) => !li.hidden)
          .map((li) => li.getAttribute('data-state')),
      );
      expect(legend).toEqual(['connected', 'disconnected', 'condition-raised', 'condition-pending', 'stale', 'appeared', 'removed']);

      // A device deleted: its node is marked and fades, then it is gone with its relationship.
      expect(
        await page.evaluate(() =>
          (window.twinGraph as TwinGraph).cy.edges().map((e) => `${String(e.data('source'))}->${String(e.data('target'))}`),
        ),
      ).toContain('room-1->sensor-2');
      await send(ingressUrl, lifecycleEvent('sensor-2', 'deleteDeviceIdentity'));
      await page.waitForFunction(
        () => {
          const g = window.twinGraph as TwinGraph;
          return g.leaving().includes('sensor-2') || g.cy.getElementById('sensor-2').empty();
        },
        undefined,
        { timeout: 30_000 },
      );
      await page.waitForFunction(() => (window.twinGraph as TwinGraph).cy.getElementById('sensor-2').empty(), undefined, {
        timeout: 10_000,
      });
      expect(
        await page.evaluate(() =>
          (window.twinGraph as TwinGraph).cy.edges().map((e) => `${String(e.data('source'))}->${String(e.data('target'))}`),
        ),
      ).not.toContain('room-1->sensor-2');
      await changeListed(page, 'sensor-2 removed');
      expect(consoleErrors).toEqual([]);
    } finally {
      await browser?.close();
      abort.abort();
    }
    const result = await finished;
    expect(result.summary.exitCode).toBe(0);
  },
  180_000,
);
