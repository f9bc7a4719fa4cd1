// A dead-letter store that goes away on schedule (--dead-letter-outage). The function app builds its
// own sink from app settings, so the outage is made where the sink writes, not inside the app, and
// the app is only given different settings:
// - folder sink: a symbolic link to the real folder, swapped (atomically, by rename) during an
//   outage for one to a plain file, so every write fails with ENOTDIR as a refusing store would;
// - blob sink (Azurite): a loopback proxy in front of the blob endpoint that answers every request
//   with 503 ServerBusy during an outage, as Storage does when it sheds load.
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { settings } from '../../shared/settings';
import { azuriteConnectionString, type DeadLetterTarget } from './deadLetters';
import type { TimeWindow } from './faultFlags';
import { type OutageEvent, OutageSwitch } from './outageSwitch';

export interface DeadLetterOutage {
  /** Settings that replace the target's own for the function app. */
  appSettings: Record<string, string>;
  readonly events: OutageEvent[];
  readonly isDown: boolean;
  /** Requests the store refused during outages, where it can tell (the blob proxy can; a folder cannot). */
  readonly refused: number | undefined;
  start(): void;
  close(): Promise<void>;
}

export async function deadLetterOutageFor(target: DeadLetterTarget, windows: readonly TimeWindow[]): Promise<DeadLetterOutage> {
  if (target.kind === 'folder' && target.directory) return new FolderDeadLetterOutage(target.directory, windows);
  if (target.kind === 'azurite' && target.blobEndpoint) return BlobDeadLetterOutage.start(target, windows);
  throw new Error(`--dead-letter-outage cannot act on the dead-letter target ${target.description}.`);
}

export class FolderDeadLetterOutage implements DeadLetterOutage {
  /** What the function app must be given as DEAD_LETTER_DIRECTORY. */
  readonly appDirectory: string;
  readonly appSettings: Record<string, string>;
  private readonly workDirectory: string;
  private readonly blocker: string;
  private readonly switch: OutageSwitch;

  constructor(
    private readonly realDirectory: string,
    windows: readonly TimeWindow[],
  ) {
    this.workDirectory = mkdtempSync(join(tmpdir(), 'dead-letter-outage-'));
    this.appDirectory = join(this.workDirectory, 'dead-letters');
    this.appSettings = { [settings.deadLetterDirectory.name]: this.appDirectory };
    this.blocker = join(this.workDirectory, 'store-unavailable');
    writeFileSync(
      this.blocker,
      'The local runner simulates a dead-letter store outage (--dead-letter-outage); writes fail until it ends.\n',
    );
    this.point(this.realDirectory);
    this.switch = new OutageSwitch(windows, (down) => this.point(down ? this.blocker : this.realDirectory));
  }

  get events(): OutageEvent[] {
    return this.switch.events;
  }

  get isDown(): boolean {
    return this.switch.isDown;
  }

  readonly refused = undefined;

  start(): void {
    this.switch.start();
  }

  /** Ends any outage and removes the link; the dead letters stay in the real folder. */
  async close(): Promise<void> {
    this.switch.stop();
    rmSync(this.workDirectory, { recursive: true, force: true });
  }

  /** rename() over the old link is atomic: a concurrent write sees the folder or the blocker, never nothing. */
  private point(target: string): void {
    const next = `${this.appDirectory}.next`;
    rmSync(next, { force: true });
    symlinkSync(target, next);
    renameSync(next, this.appDirectory);
  }
}

const serverBusy =
  '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The local runner simulates a dead-letter store outage (--dead-letter-outage).</Message></Error>';

export class BlobDeadLetterOutage implements DeadLetterOutage {
  refused = 0;
  appSettings: Record<string, string> = {};
  private readonly switch: OutageSwitch;
  private readonly server: Server;

  private constructor(
    private readonly upstream: URL,
    windows: readonly TimeWindow[],
  ) {
    this.switch = new OutageSwitch(windows, () => undefined);
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Starts the proxy in front of the target's blob endpoint (Shared Key signatures do not cover the host, so they still verify). */
  static async start(target: DeadLetterTarget, windows: readonly TimeWindow[]): Promise<BlobDeadLetterOutage> {
    const outage = new BlobDeadLetterOutage(new URL(target.blobEndpoint as string), windows);
    await new Promise<void>((resolve, reject) => {
      outage.server.once('error', reject);
      outage.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = outage.server.address() as AddressInfo;
    outage.appSettings = {
      [settings.deadLetterStorage.name]: azuriteConnectionString(`http://127.0.0.1:${port}${outage.upstream.pathname}`),
    };
    return outage;
  }

  get events(): OutageEvent[] {
    return this.switch.events;
  }

  get isDown(): boolean {
    return this.switch.isDown;
  }

  start(): void {
    this.switch.start();
  }

  async close(): Promise<void> {
    this.switch.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.isDown) {
      this.refused++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml', 'x-ms-error-code': 'ServerBusy' }).end(serverBusy);
      return;
    }
    const { upstream } = this;
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) =>
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`Dead-letter proxy could not reach ${upstream.origin}: ${error.message}`),
    );
    req.pipe(forward);
  }
}
