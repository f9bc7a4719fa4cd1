// The graph page as an explorer in a real browser (Debian's Chromium through playwright-core):
// - on the local loop with writes allowed (npm run explore): a query drawn on the graph and listed, a
//   query error as ADT sends it, a twin patched through the data plane with its roll-up following on
//   the parent, a relationship added and deleted, and the models panel;
// - on an emulator explored as an instance (npm run explore -- --adt-url <emulator>), read-only: the
//   query box and models work, no edit control is offered.
// EXPLORER_SCREENSHOT=<file.png> also writes a screenshot of the first page.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { createEmulatorClient, startEmulator } from '../../local/emulator';
import { exploreInstance } from '../../local/explore/explore';
import { loadScenario } from '../../local/scenario';
import { browserPath, browserTestIn, haveBrowser, installHint, watchConsole } from './support/browser';
import { buildingScenario, repoRoot, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

// What the page functions below touch, typed here (the test program has no DOM library).
interface Elements {
  length: number;
  map<T>(f: (e: { id(): string }) => T): T[];
}
interface TwinGraph {
  cy: { nodes(selector?: string): Elements; edges(selector?: string): Elements; getElementById(id: string): Elements };
  twin(id: string): { properties: Array<{ name: string; value: unknown }> } | undefined;
  select(id: string): void;
  settled(): boolean;
}
declare const window: { twinGraph?: TwinGraph };
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
};

const browserTest = browserTestIn(__filename);
/** The explorer's refusals answer 4xx on purpose: the browser logs each as a failed resource. */
const resourceFailures = /^Failed to load resource: the server responded with a status of 4\d\d/;

const scenario = loadScenario(buildingScenario);
const roomModel = 'dtmi:example:building:Room;1';
const rooms = scenario.graph.twins
  .filter((t) => t.$metadata.$model === roomModel)
  .map((t) => t.$dtId)
  .sort();
const hostile = '<img src=x onerror="window.owned=true">';
const envelopes = readFileSync(scenario.telemetryPath ?? '', 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '').length;

function propertyValue(page: Page, twinId: string, property: string): Promise<unknown> {
  return page.evaluate(
    ([id, p]) => (window.twinGraph as TwinGraph).twin(id as string)?.properties.find((x) => x.name === p)?.value,
    [twinId, property],
  );
}

function waitForValue(page: Page, twinId: string, property: string, value: unknown): Promise<unknown> {
  return page.waitForFunction(
    ([id, p, v]) => (window.twinGraph as TwinGraph).twin(id as string)?.properties.some((x) => x.name === p && x.value === v),
    [twinId, property, value] as const,
    { timeout: 20_000 },
  );
}

/** Console errors other than the browser's own line for a refused request (the page shows those). */

async function runQuery(page: Page, query: string): Promise<void> {
  await page.fill('#query-text', query);
  // Cleared first, so the wait below sees this query's answer, not the last one's.
  await page.evaluate(() => {
    (document.getElementById('query-status') as { textContent: string | null }).textContent = '';
  });
  await page.click('#query-button');
  await page.waitForFunction(() => /row\(s\)|failed/.test(document.getElementById('query-status')?.textContent ?? ''));
}

browserTest(
  'explorer on the local loop: query, patch with the roll-up following, add and delete a relationship, models',
  async () => {
    if (!haveBrowser) throw new Error(installHint);
    const abort = new AbortController();
    let graphReady!: (url: string) => void;
    const graphUrl = new Promise<string>((done) => (graphReady = done));
    const finished = runLocal({
      follow: true,
      allowWrites: true,
      ingressPort: 0,
      graphPort: 0,
      signal: abort.signal,
      deadLetterDirectory: tempDir('explorer-dl'),
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
      const consoleErrors = watchConsole(page, resourceFailures);
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(url);
      await page.waitForSelector('#status.live');
      await expect(page.textContent('#explorer-target')).resolves.toContain('(writes allowed)');
      // The replay is over before anything is edited, so no replayed reading overwrites the edit.
      await page.waitForFunction(
        (n) => {
          const counter = (name: string) => Number(document.querySelector(`#counters [data-counter="${name}"] .value`)?.textContent);
          return counter('stats.applied') + counter('stats.filtered') + counter('stats.deadLettered') === n && counter('pending') === 0;
        },
        envelopes,
        { timeout: 30_000 },
      );

      // A query: its twins listed in the table and marked on the graph, the others faded.
      await runQuery(page, `SELECT * FROM digitaltwins WHERE IS_OF_MODEL('${roomModel}')`);
      await expect(page.textContent('#query-status')).resolves.toMatch(
        new RegExp(`^${rooms.length} row\\(s\\), ${rooms.length} twin\\(s\\), 0 relationship\\(s\\); query charge`),
      );
      expect(await page.locator('#query-table tr').count()).toBe(rooms.length + 1);
      expect(
        await page.evaluate(() =>
          (window.twinGraph as TwinGraph).cy
            .nodes('.hit')
            .map((n) => n.id())
            .sort(),
        ),
      ).toEqual(rooms);
      expect(await page.evaluate(() => (window.twinGraph as TwinGraph).cy.nodes('.faded').length)).toBe(
        scenario.graph.twins.length - rooms.length,
      );
      // A JOIN: the relationships it names are marked too.
      await runQuery(page, "SELECT R, D, E FROM digitaltwins R JOIN D RELATED R.hasDevice E WHERE R.$dtId = 'room-101'");
      expect(await page.evaluate(() => (window.twinGraph as TwinGraph).cy.edges('.hit').length)).toBe(3);
      // An error as ADT returns it: status, code, message.
      await runQuery(page, 'SELECT FROM WHERE');
      await expect(page.textContent('#query-error')).resolves.toMatch(/^HTTP 400 SqlQueryError: /);
      expect(await page.isVisible('#query-error')).toBe(true);
      await page.click('#query-clear');

      // Edit a property: clicking its row starts the patch; applying it writes through the data plane,
      // the notification reaches the propagate function, and the room's roll-up follows.
      await page.evaluate(() => (window.twinGraph as TwinGraph).select('thermostat-101'));
      await page.click('#properties tr[data-property="temperature"]');
      expect(JSON.parse(await page.inputValue('#patch-text'))).toEqual([
        { op: 'replace', path: '/temperature', value: await propertyValue(page, 'thermostat-101', 'temperature') },
      ]);
      await page.fill('#patch-text', JSON.stringify([{ op: 'replace', path: '/temperature', value: 33.5 }]));
      await page.click('#patch-button');
      await page.waitForFunction(() => document.getElementById('edit-result')?.textContent?.startsWith('patched thermostat-101'));
      await waitForValue(page, 'thermostat-101', 'temperature', 33.5);
      await waitForValue(page, 'room-101', 'temperature', 33.5);
      // A patch ADT refuses: its error as ADT sent it.
      await page.fill('#patch-text', JSON.stringify([{ op: 'move', from: '/temperature', path: '/x' }]));
      await page.click('#patch-button');
      await page.waitForFunction(() => document.getElementById('edit-result')?.textContent?.startsWith('HTTP 400 JsonPatchInvalid'));
      expect(await page.getAttribute('#edit-result', 'class')).toBe('error');

      // Add a relationship, see it drawn, delete it from the list.
      await page.evaluate(() => (window.twinGraph as TwinGraph).select('room-101'));
      await page.fill('#rel-name', 'hasDevice');
      await page.fill('#rel-target', 'thermostat-102');
      await page.click('#rel-add');
      await page.waitForFunction(() =>
        document.getElementById('edit-result')?.textContent?.startsWith('added relationship hasDevice-thermostat-102'),
      );
      await page.waitForFunction(
        () => (window.twinGraph as TwinGraph).cy.getElementById('rel:room-101/hasDevice-thermostat-102').length === 1,
        undefined,
        { timeout: 10_000 },
      );
      // The new relationship is a change notification too: the room now averages two thermostats.
      const other = (await propertyValue(page, 'thermostat-102', 'temperature')) as number;
      await page.waitForFunction(
        ([v]) => {
          const t = (window.twinGraph as TwinGraph).twin('room-101')?.properties.find((x) => x.name === 'temperature')?.value;
          return typeof t === 'number' && Math.abs(t - (v as number)) < 1e-9;
        },
        [(33.5 + other) / 2],
        { timeout: 20_000 },
      );
      const item = page.locator('#edit .relationships li[data-relationship="hasDevice-thermostat-102"]');
      await expect(item.textContent()).resolves.toContain('hasDevice → thermostat-102');
      await item.locator('button.rel-delete').click();
      await page.waitForFunction(
        () => (window.twinGraph as TwinGraph).cy.getElementById('rel:room-101/hasDevice-thermostat-102').length === 0,
        undefined,
        { timeout: 10_000 },
      );
      await expect(page.locator('#edit .relationships li[data-relationship="hasDevice-thermostat-102"]').count()).resolves.toBe(0);
      // With the relationship gone the room is back to its one thermostat.
      await waitForValue(page, 'room-101', 'temperature', 33.5);

      // Models: every model listed; one's contents as a table.
      await page.waitForFunction((n) => document.querySelectorAll('#model-list li').length === n, scenario.models.length);
      await page.click(`#model-list li[data-model="${roomModel}"]`);
      await expect(page.textContent('#model-contents tr[data-content="temperature"]')).resolves.toContain('double');
      await expect(page.textContent('#model-contents tr[data-content="hasDevice"]')).resolves.toContain('dtmi:example:building:Device;1');

      if (process.env.EXPLORER_SCREENSHOT) {
        const file = resolve(repoRoot, process.env.EXPLORER_SCREENSHOT);
        mkdirSync(dirname(file), { recursive: true });
        await page.evaluate(() => (window.twinGraph as TwinGraph).select('room-101'));
        await runQuery(page, "SELECT R, D, E FROM digitaltwins R JOIN D RELATED R.hasDevice E WHERE R.$dtId = 'room-101'");
        await page.evaluate(() =>
          (document as unknown as { getElementById(id: string): { scrollIntoView(): void } }).getElementById('query').scrollIntoView(),
        );
        await page.screenshot({ path: file });
      }
      expect(consoleErrors).toEqual([]);
      expect(requests.filter((r) => !r.startsWith(url))).toEqual([]);
    } finally {
      await browser?.close();
      abort.abort();
    }
    const result = await finished;
    expect(result.summary.exitCode).toBe(0);
    // The final read agrees with the page: the edit was a real write.
    expect(result.dump.twins.find((t) => t.$dtId === 'room-101')?.temperature).toBe(33.5);
  },
  120_000,
);

browserTest(
  'explorer on an emulator as an instance, read-only: query and models work, no edit is offered, markup in twin data stays text',
  async () => {
    if (!haveBrowser) throw new Error(installHint);
    const certDir = tempDir('explorer-page-cert');
    const emulator = await startEmulator({ scenarioDir: buildingScenario, certDir });
    // Twin data that is markup: it must reach the page as text only.
    const { client, httpClient } = createEmulatorClient(emulator);
    await client.updateDigitalTwin('room-102', [{ op: 'replace', path: '/name', value: hostile }]);
    httpClient.destroy();
    const explorer = await exploreInstance({
      adtUrl: emulator.url,
      ca: join(certDir, 'cert.pem'),
      allowWrites: false,
      port: 0,
      pollMs: 500,
    });
    const browser = await chromium.launch({ executablePath: browserPath });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const consoleErrors = watchConsole(page, resourceFailures);
      await page.goto(explorer.url);
      await page.waitForSelector('#status.live');
      await expect(page.textContent('#explorer-target')).resolves.toBe(`ADT: ${emulator.url} (emulator) (read-only)`);
      expect(await page.evaluate(() => (window.twinGraph as TwinGraph).cy.nodes().length)).toBe(scenario.graph.twins.length);
      // No loop here: no counters, dead letters or "try a message".
      for (const section of ['#counters', '#dead-letters', '#try']) expect(await page.isHidden(section)).toBe(true);
      await runQuery(page, "SELECT * FROM relationships WHERE $sourceId = 'room-101'");
      await expect(page.textContent('#query-status')).resolves.toMatch(/^3 row\(s\), 0 twin\(s\), 3 relationship\(s\)/);
      await page.evaluate(() => (window.twinGraph as TwinGraph).select('room-101'));
      expect(await page.isVisible('#edit .read-only')).toBe(true);
      for (const control of ['#patch-text', '#patch-button', '#rel-add']) expect(await page.isHidden(control)).toBe(true);
      expect(await page.locator('#edit .relationships li button').count()).toBe(0);
      await expect(page.locator('#edit .relationships li').count()).resolves.toBe(3);
      await page.waitForFunction((n) => document.querySelectorAll('#model-list li').length === n, scenario.models.length);
      // Markup in twin data is shown, never run: in the table, the inspector and the graph.
      await runQuery(page, "SELECT T.name FROM digitaltwins T WHERE T.$dtId = 'room-102'");
      await expect(page.textContent('#query-table')).resolves.toContain(hostile);
      await page.evaluate(() => (window.twinGraph as TwinGraph).select('room-102'));
      await expect(page.textContent('#properties tr[data-property="name"]')).resolves.toContain(hostile);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { owned?: boolean }).owned)).toBeUndefined();
      expect(consoleErrors).toEqual([]);
    } finally {
      await browser.close();
      await explorer.close();
      await emulator.close();
    }
  },
  60_000,
);
