// The live graph page of --follow in a real browser (Debian's Chromium through playwright-core): it
// loads without a console error, shows every twin of the sample building, changes a value on the page
// when an envelope is POSTed to the running loop, and its "try a message" previews and sends.
// GRAPH_SCREENSHOT=<file.png> also writes a screenshot of the page (npm run screenshot).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { renderGraphExport } from '../../local/graph';
import { loadScenario } from '../../local/scenario';
import { browserPath, browserTestIn, haveBrowser, installHint, watchConsole } from './support/browser';
import { buildingScenario, repoRoot, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

// What the page functions below touch, typed here (the test program has no DOM library); they run in
// the browser, where these names are the page's own.
interface Elements {
  length: number;
  map<T>(f: (e: { id(): string; data(key: string): unknown }) => T): T[];
  union(other: Elements): Elements;
  successors(): Elements;
}
interface Element extends Elements {
  data(key: string): unknown;
  emit(event: string): void;
}
interface TwinGraph {
  cy: { nodes(): Elements; edges(): Elements; getElementById(id: string): Element; fit(e: Elements, padding: number): void };
  twin(id: string): { properties: Array<{ name: string; value: unknown }> } | undefined;
  settled(): boolean;
}
declare const window: { twinGraph?: TwinGraph };
declare const document: { getElementById(id: string): { textContent: string | null; scrollTo(x: number, y: number): void } | null };

const browserTest = browserTestIn(__filename);

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
  return { status: res.status, text: await res.text() };
}

function nodeValue(page: Page, twinId: string, property: string): Promise<unknown> {
  return page.evaluate(
    ([id, p]) =>
      (((window.twinGraph as TwinGraph).cy.getElementById(id as string).data('values') ?? {}) as Record<string, unknown>)[p as string],
    [twinId, property],
  );
}

browserTest(
  'the live graph page shows the building, follows a POSTed envelope and previews a message',
  async () => {
    if (!haveBrowser) throw new Error(installHint);
    const twinIds = loadScenario(buildingScenario)
      .graph.twins.map((t) => t.$dtId)
      .sort();
    const abort = new AbortController();
    let ingressUrl!: string;
    let graphReady!: (url: string) => void;
    const graphUrl = new Promise<string>((done) => (graphReady = done));
    const finished = runLocal({
      follow: true,
      ingressPort: 0,
      graphPort: 0,
      signal: abort.signal,
      deadLetterDirectory: tempDir('graph-dl'),
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
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(url);
      await page.waitForFunction(() => window.twinGraph !== undefined);
      await page.waitForSelector('#status.live');

      // Every twin of the sample building is a node, each relationship an edge labelled by its name.
      const shown = await page.evaluate(() =>
        (window.twinGraph as TwinGraph).cy
          .nodes()
          .map((n) => n.id())
          .sort(),
      );
      expect(shown).toEqual(twinIds);
      const edgeLabels = await page.evaluate(() =>
        [...new Set((window.twinGraph as TwinGraph).cy.edges().map((e) => e.data('label')))].sort(),
      );
      expect(edgeLabels).toEqual(expect.arrayContaining(['hasDevice', 'hasFloor', 'hasRoom']));

      // A value only this envelope can produce: newer than anything the replay sends.
      const now = new Date().toISOString();
      const answer = await post(
        `${ingressUrl}/telemetry`,
        `${JSON.stringify({ deviceId: 'thermostat-101', enqueuedTime: now, messageId: 'graph-view-1', body: { temperature: 31.25, humidity: 40, setpoint: 21, ts: now } })}\n`,
      );
      expect(answer.status).toBe(202);
      await page.waitForFunction(
        () => (window.twinGraph as TwinGraph).twin('thermostat-101')?.properties.some((p) => p.name === 'temperature' && p.value === 31.25),
        undefined,
        { timeout: 20_000 },
      );
      expect(await nodeValue(page, 'thermostat-101', 'temperature')).toBe(31.25);
      expect(await page.evaluate(() => (window.twinGraph as TwinGraph).cy.getElementById('thermostat-101').data('label'))).toContain(
        'temperature: 31.25',
      );

      // The side panel: a room's derived temperature names its rule, with sourceTime and last change.
      await page.evaluate(() => {
        (window.twinGraph as TwinGraph).cy.getElementById('room-101').emit('tap');
      });
      const row = page.locator('#properties tr[data-property="temperature"]');
      await expect(row.getAttribute('class')).resolves.toBe('derived');
      await expect(row.textContent()).resolves.toContain('room-climate');
      await expect(page.locator('#counters [data-counter="stats.messagesIn"] .value').textContent()).resolves.toMatch(/^\d+$/);

      // Try a message: the preview shows the patch without writing; send puts it into the loop.
      await page.fill(
        '#envelope',
        JSON.stringify({ deviceId: 'thermostat-102', body: { temperature: 18.5, ts: new Date().toISOString() } }),
      );
      await page.click('#preview-button');
      await page.waitForFunction(() => document.getElementById('try-result')?.textContent?.includes('thermostat-102'));
      const preview = (await page.textContent('#try-result')) ?? '';
      expect(preview).toContain('rule "thermostat" matched, applied temperature');
      expect(preview).toContain('add /temperature 18.5');
      expect(preview).toContain('Nothing was written');
      expect(await nodeValue(page, 'thermostat-102', 'temperature')).not.toBe(18.5);
      await page.click('#send-button');
      await page.waitForFunction(() =>
        document.getElementById('try-result')?.textContent?.includes('accepted 1 message(s) into the running loop'),
      );
      await page.waitForFunction(
        () => (window.twinGraph as TwinGraph).twin('thermostat-102')?.properties.some((p) => p.name === 'temperature' && p.value === 18.5),
        undefined,
        { timeout: 20_000 },
      );

      expect(consoleErrors).toEqual([]);
      // A message that is not an envelope is refused with what is wrong (Chromium logs the 400, nothing else).
      await page.fill('#envelope', '{"body": {}}');
      await page.click('#preview-button');
      await page.waitForFunction(() => document.getElementById('try-result')?.textContent?.includes('deviceId'));
      expect(await page.getAttribute('#try-result', 'class')).toBe('error');
      await page.fill(
        '#envelope',
        JSON.stringify({ deviceId: 'thermostat-101', body: { temperature: 22.75, ts: new Date().toISOString() } }),
      );
      await page.click('#preview-button');
      await page.waitForFunction(() => document.getElementById('try-result')?.textContent?.includes('add /temperature 22.75'));

      if (process.env.GRAPH_SCREENSHOT) {
        const file = resolve(repoRoot, process.env.GRAPH_SCREENSHOT);
        mkdirSync(dirname(file), { recursive: true });
        await page.waitForFunction(() => (window.twinGraph as TwinGraph).settled());
        // One floor close enough to read, the room's properties in the panel.
        await page.evaluate(() => {
          const { cy } = window.twinGraph as TwinGraph;
          const floor = cy.getElementById('floor-1');
          cy.fit(floor.union(floor.successors()), 20);
          document.getElementById('panel')?.scrollTo(0, 0);
        });
        await page.screenshot({ path: file });
      }
      expect(consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
      // Served from the loop's own port: nothing fetched from anywhere else.
      expect(requests.filter((r) => !r.startsWith(url))).toEqual([]);
    } finally {
      await browser?.close();
      abort.abort();
    }
    const result = await finished;
    expect(result.summary.exitCode).toBe(0);
  },
  90_000,
);

browserTest(
  'the exported page opens from a file with every request refused: all twins drawn, no console error',
  async () => {
    if (!haveBrowser) throw new Error(installHint);
    const scenario = loadScenario(buildingScenario);
    const relationships = scenario.graph.relationships.map((r) => ({ ...r, $sourceId: r.$dtId }));
    const file = join(tempDir('graph-offline'), 'graph.html');
    writeFileSync(
      file,
      renderGraphExport('html', {
        scenario,
        twins: scenario.graph.twins,
        relationships,
        counters: { applied: 0 },
        deadLetters: { items: [] },
      }),
    );
    const browser = await chromium.launch({ executablePath: browserPath });
    try {
      const page = await browser.newPage();
      const problems = watchConsole(page);
      const fetched: string[] = [];
      // Offline: anything but the file itself fails.
      await page.route('**/*', (route) => {
        if (route.request().url().startsWith('file:')) return route.continue();
        fetched.push(route.request().url());
        return route.abort();
      });
      await page.goto(`file://${file}`);
      await page.waitForFunction(() => window.twinGraph !== undefined);
      const shown = await page.evaluate(() => (window.twinGraph as TwinGraph).cy.nodes().length);
      expect(shown).toBe(scenario.graph.twins.length);
      await expect(page.locator('#try').isHidden()).resolves.toBe(true);
      expect(fetched).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  },
  60_000,
);

browserTest(
  'long counter names (dead-letter reasons) are cut with an ellipsis and a title: every value stays in view',
  async () => {
    if (!haveBrowser) throw new Error(installHint);
    const scenario = loadScenario(buildingScenario);
    const relationships = scenario.graph.relationships.map((r) => ({ ...r, $sourceId: r.$dtId }));
    const longReason = 'propagate-expression-failed-because-the-rule-reads-a-property-no-child-has';
    const counters = {
      stats: {
        applied: 12,
        deadLetteredByReason: { [longReason]: 7, 'out-of-range': 2 },
        rejectedValuesByReason: { [`${longReason}-too`]: 1234567 },
      },
      accounting: { applied: 12 },
    };
    const file = join(tempDir('graph-counters'), 'graph.html');
    writeFileSync(
      file,
      renderGraphExport('html', { scenario, twins: scenario.graph.twins, relationships, counters, deadLetters: { items: [] } }),
    );
    const browser = await chromium.launch({ executablePath: browserPath });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`file://${file}`);
      await page.waitForFunction(() => window.twinGraph !== undefined);
      const panel = await page.locator('#panel').boundingBox();
      const values = page.locator('#counters .counter .value');
      expect(await values.count()).toBe(5);
      for (let i = 0; i < 5; i++) {
        const box = await values.nth(i).boundingBox();
        // Inside the panel, left of its scroll bar: nothing pushed out of view.
        expect(box && panel && box.x + box.width <= panel.x + panel.width).toBe(true);
      }
      const long = page.locator(`#counters [data-counter="stats.deadLetteredByReason.${longReason}"]`);
      await expect(long.getAttribute('title')).resolves.toBe(`stats.deadLetteredByReason.${longReason}: 7`);
      await expect(long.locator('.value').textContent()).resolves.toBe('7');
      // The panel does not scroll sideways.
      const overflow = await page.evaluate(() => {
        const p = (document as unknown as { getElementById(id: string): { scrollWidth: number; clientWidth: number } }).getElementById(
          'panel',
        );
        return p.scrollWidth - p.clientWidth;
      });
      expect(overflow).toBe(0);
    } finally {
      await browser.close();
    }
  },
  60_000,
);
