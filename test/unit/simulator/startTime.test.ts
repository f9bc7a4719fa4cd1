// `npm run simulate` with the same flags and seed writes the same file: a file's timeline starts at a
// fixed instant unless --start is given; live targets start now.
import { defaultFileStart, parseSimulateArgs, startTime } from '../../../local/simulator/simulateArgs';

it('starts a file at the fixed default, a live target now, and --start wins over both', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  expect(startTime(parseSimulateArgs(['--out', 'a.ndjson', '--seed', '7']), now)).toEqual(defaultFileStart);
  expect(startTime(parseSimulateArgs(['--to', 'http://127.0.0.1:7300']), now)).toEqual(now);
  expect(startTime(parseSimulateArgs(['--out', 'a.ndjson', '--start', '2025-02-03T04:05:06Z']), now)).toEqual(
    new Date('2025-02-03T04:05:06Z'),
  );
});
