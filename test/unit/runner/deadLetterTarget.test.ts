// Runner hygiene: --dead-letters always wins, Azurite is used only when asked, an Azurite of another
// storage API version stops the run before it starts (with the fix), and each run's dead letters are
// its own (a fresh folder, or earlier dead letters cleared from the given one).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chooseDeadLetterTarget } from '../../../local/runner/deadLetters';
import { deadLetterSchema } from '../../../shared/deadLetter';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'dl-target-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('gives a run without --dead-letters a fresh folder of its own', async () => {
  const first = await chooseDeadLetterTarget({ defaultRoot: root, runId: 'run-1' });
  const second = await chooseDeadLetterTarget({ defaultRoot: root, runId: 'run-2' });
  expect(first).toMatchObject({
    kind: 'folder',
    directory: join(root, 'run-1'),
    description: expect.stringContaining('fresh for this run'),
  });
  expect(second.directory).not.toBe(first.directory);
  expect(first.appSettings).toMatchObject({ DEAD_LETTER_DIRECTORY: join(root, 'run-1'), DeadLetterStorage: '' });
});

it('lets --dead-letters win over Azurite and clears only the dead letters an earlier run left there', async () => {
  const dir = join(root, 'mine');
  mkdirSync(join(dir, '0'), { recursive: true });
  writeFileSync(join(dir, '0', '17.json'), JSON.stringify({ schema: deadLetterSchema, reason: 'invalid-json' }));
  writeFileSync(join(dir, 'notes.json'), JSON.stringify({ mine: true }));
  const target = await chooseDeadLetterTarget({
    directory: dir,
    azuriteEndpoint: 'http://127.0.0.1:9/devstoreaccount1',
    defaultRoot: root,
  });
  expect(target).toMatchObject({ kind: 'folder', directory: dir });
  expect(target.description).toContain('cleared 1 dead letter(s) of an earlier run');
  expect(target.description).toContain('--dead-letters wins over Azurite');
  expect(existsSync(join(dir, '0', '17.json'))).toBe(false);
  expect(readdirSync(dir)).toContain('notes.json');
});

describe('an Azurite named by --azurite-endpoint', () => {
  let server: Server;
  let endpoint: string;
  afterEach(() => new Promise<void>((done) => server.close(() => done())));

  const listen = (handler: Parameters<typeof createServer>[1]) =>
    new Promise<void>((done) => {
      server = createServer(handler).listen(0, '127.0.0.1', () => {
        const address = server.address();
        endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/devstoreaccount1`;
        done();
      });
    });

  it('stops the run before it starts when it refuses the SDK API version, saying how to fix it', async () => {
    await listen((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/xml', 'x-ms-error-code': 'InvalidHeaderValue', server: 'Azurite-Blob/3.20.0' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidHeaderValue</Code><Message>The API version 2026-02-06 is not supported by Azurite. Please upgrade Azurite to latest version and retry.</Message></Error>',
      );
    });
    await expect(chooseDeadLetterTarget({ azuriteEndpoint: endpoint, defaultRoot: root })).rejects.toThrow(
      /--skipApiVersionCheck.*npm i -D azurite@latest/s,
    );
  });

  it('stops the run when nothing usable answers there', async () => {
    await listen((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    await expect(chooseDeadLetterTarget({ azuriteEndpoint: endpoint, defaultRoot: root })).rejects.toThrow(
      /Dead letters cannot be written to .*drop --azurite-endpoint/,
    );
  });
});
