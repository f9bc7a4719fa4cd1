// A configuration expression cannot hang a worker: runaway JSONata (exponential recursion, endless
// recursion, a huge sequence) is stopped and the message dead-lettered while the batch goes on.
import { compilePipelineConfig } from '../../../../shared/config';
import type { DeadLetterDocument, DeadLetterSink } from '../../../../shared/deadLetter';
import { processBatch, type RawEvent } from '../../../../shared/ingest';
import { compileExpression } from '../../../../shared/ingest/config/expression';
import { createWorker } from '../../../../shared/worker';
import { FakePort } from '../../adt/fakes';

const runaway = {
  exponential: '($f := function($n) { $n <= 1 ? $n : $f($n - 1) + $f($n - 2) }; $f(60))',
  endless: '($f := function($n) { $f($n + 1) }; $f(0))',
  huge: '$count([1..5000000].($ * 2))',
};

it.each(Object.entries(runaway))('stops the %s expression within a second', async (_name, text) => {
  const compiled = compileExpression(text);
  if (typeof compiled === 'string') throw new Error(compiled);
  const started = Date.now();
  await expect(compiled.evaluate({})).rejects.toMatchObject({ code: expect.stringMatching(/^D10(11|12)$|^D2015$/) });
  expect(Date.now() - started).toBeLessThan(1000);
});

it('dead-letters the message whose transform runs away and applies the rest of the batch', async () => {
  const port = new FakePort();
  port.addTwin('room-1');
  port.addTwin('room-2');
  const documents: DeadLetterDocument[] = [];
  const sink: DeadLetterSink = { target: 'memory', write: async (_n, d) => void documents.push(d) };
  const config = compilePipelineConfig(
    {
      ingest: {
        rules: [
          {
            name: 'slow',
            match: { deviceId: 'room-1' },
            properties: [{ target: 'temperature', transform: { expression: runaway.exponential } }],
          },
          { name: 'plain', match: { deviceId: 'room-2' }, properties: [{ target: 'temperature' }] },
        ],
      },
    },
    't',
  );
  const w = createWorker({ env: {}, config, port, deadLetters: sink });
  const event = (index: number, deviceId: string): RawEvent => ({
    body: Buffer.from(JSON.stringify({ temperature: 20 + index })),
    index,
    sequenceNumber: index,
    enqueuedTimeUtc: '2024-05-01T10:00:00',
    systemProperties: { 'iothub-connection-device-id': deviceId },
    properties: {},
  });
  const { summary } = await processBatch([event(1, 'room-1'), event(2, 'room-2')], w.ingest);
  expect(summary).toMatchObject({ applied: 1, deadLettered: 1, deadLetteredByReason: { 'transform-failed': 1 } });
  expect(documents[0]?.detail).toMatch(/timeout|stack/i);
  expect(port.twins.get('room-2')?.temperature).toBe(22);
});
