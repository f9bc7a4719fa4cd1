// Replay progress as a percentage of the dead letters examined: a bar on a terminal, and on
// anything else (CI logs, a file, a pipe) one plain line each time the whole percentage moves, so a
// long replay shows how far it got wherever its output goes.
import { Presets, SingleBar } from 'cli-progress';

export interface ReplayProgress {
  start(total: number): void;
  update(examined: number, outcomes: string): void;
  stop(): void;
}

type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

export const percentOf = (done: number, total: number): number => (total === 0 ? 100 : Math.floor((done / total) * 100));

export function replayProgress(stream: ProgressStream, verb: 'Replaying' | 'Planning'): ReplayProgress {
  if (stream.isTTY) {
    const bar = new SingleBar(
      { format: `${verb} |{bar}| {percentage}% | {value}/{total} dead letters | {outcomes}`, hideCursor: true, stream },
      Presets.shades_classic,
    );
    return {
      start: (total) => bar.start(total, 0, { outcomes: '' }),
      update: (examined, outcomes) => bar.update(examined, { outcomes }),
      stop: () => bar.stop(),
    };
  }
  let total = 0;
  let shown = -1;
  return {
    start(count) {
      total = count;
    },
    update(examined, outcomes) {
      const percent = percentOf(examined, total);
      if (percent === shown) return;
      shown = percent;
      stream.write(`${verb} ${percent}% (${examined}/${total} dead letters) | ${outcomes}\n`);
    },
    stop() {},
  };
}
