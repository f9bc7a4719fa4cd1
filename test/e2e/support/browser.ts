// Chromium for the graph page's browser tests (Debian's package driven by playwright-core): where it
// is, the test function to use (in CI a missing browser is a failure, never a silent skip; on a
// laptop the test says why it skipped), and the errors a page prints.

import { existsSync } from 'node:fs';
import { basename } from 'node:path';

import type { Page } from 'playwright-core';

export const browserPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const installHint = `Chromium is not at ${browserPath}: install it with "apt-get install -y chromium" (as root; .ci/chromium.sh does it) or set CHROMIUM_PATH to a Chromium binary.`;
export const haveBrowser = existsSync(browserPath);

/** `it`, or `it.skip` with a warning naming the test file when there is no browser outside CI. */
export function browserTestIn(testFile: string): jest.It {
  if (!haveBrowser && process.env.CI !== 'true') console.warn(`${basename(testFile)} skipped: ${installHint}`);
  return haveBrowser || process.env.CI === 'true' ? it : it.skip;
}

/** Collects the page's console errors and uncaught exceptions, except console texts `ignore` matches. */
export function watchConsole(page: Page, ignore?: RegExp): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !ignore?.test(message.text())) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
