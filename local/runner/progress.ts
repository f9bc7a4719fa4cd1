// Live progress: one line rewritten in place on a terminal, a line every few seconds otherwise (CI logs).
export interface ProgressReporter {
  update(line: string): void;
  /** Leaves the last line on screen. */
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream | undefined, intervalMs = 2000): ProgressReporter {
  if (!stream) return { update: () => undefined, done: () => undefined };
  let last = '';
  let lastPrinted = 0;
  const tty = stream.isTTY === true;
  return {
    update(line) {
      if (line === last) return;
      last = line;
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        return;
      }
      const now = Date.now();
      if (now - lastPrinted >= intervalMs) {
        lastPrinted = now;
        stream.write(`${line}\n`);
      }
    },
    done() {
      if (tty) stream.write('\n');
      else if (last) stream.write(`${last}\n`);
    },
  };
}
