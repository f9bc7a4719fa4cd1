// Replay progress in percent: a bar with the percentage on a terminal, plain lines elsewhere.
import { Writable } from 'node:stream';

import { percentOf, replayProgress } from '../../../local/replay/progress';

function stream(isTTY: boolean): { out: Writable & { isTTY: boolean; columns: number }; text: () => string } {
  let text = '';
  const out = Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((text += chunk.toString()), done()) }), {
    isTTY,
    columns: 160,
  });
  return { out, text: () => text };
}

describe('replay progress', () => {
  it('computes whole percentages, 100 for an empty store', () => {
    expect([percentOf(0, 3), percentOf(1, 3), percentOf(2, 3), percentOf(3, 3), percentOf(0, 0)]).toEqual([0, 33, 66, 100, 100]);
  });

  it('writes one line per percentage step when the stream is not a terminal', () => {
    const { out, text } = stream(false);
    const progress = replayProgress(out, 'Replaying');
    progress.start(4);
    progress.update(1, 'applied 1');
    progress.update(1, 'applied 1'); // same percentage: nothing new
    progress.update(4, 'applied 3, again 1');
    progress.stop();
    expect(text()).toBe('Replaying 25% (1/4 dead letters) | applied 1\nReplaying 100% (4/4 dead letters) | applied 3, again 1\n');
  });

  it('shows the percentage in the bar on a terminal', () => {
    const { out, text } = stream(true);
    const progress = replayProgress(out, 'Planning');
    progress.start(8);
    progress.update(2, 'would apply 2');
    progress.stop();
    expect(text()).toMatch(/Planning \|[█░]+\| 25% \| 2\/8 dead letters \| would apply 2/);
  });
});
