// An expression calling something that is not a function: refused at load when the name is unknown;
// when only evaluation can tell (a variable holding a number), the dead letter names it.
import { compilePipelineConfig, ConfigError } from '../../../shared/config';
import type { DeadLetterDocument, DeadLetterSink } from '../../../shared/deadLetter';
import { processBatch, type RawEvent } from '../../../shared/ingest';
import { createWorker } from '../../../shared/worker';
import { FakePort } from '../adt/fakes';

const withExpression = (expression: string) => ({
  ingest: { rules: [{ name: 'r', properties: [{ target: 'temperature', transform: { expression } }] }] },
});

it('refuses an unknown function at load, naming it and the likely one', () => {
  expect(() => compilePipelineConfig(withExpression('$sumx($)'), 't')).toThrow(ConfigError);
  expect(() => compilePipelineConfig(withExpression('$sumx($)'), 't')).toThrow(
    'unknown function $sumx at character 1 (did you mean $sum?)',
  );
  expect(() =>
    compilePipelineConfig({ ingest: { rules: [{ name: 'r', match: { when: '$exist($.a)' }, properties: [{ target: 't' }] }] } }, 't'),
  ).toThrow('ingest.rules[0].match.when: JSONata expression "$exist($.a)": unknown function $exist');
  expect(() =>
    compilePipelineConfig({ ingest: { rules: [{ name: 'r', telemetry: [{ expression: '$merg([{"a": 1}])' }] }] } }, 't'),
  ).toThrow('unknown function $merg');
});

it('a dead letter names the function that failed, without stray separators', async () => {
  const port = new FakePort();
  port.addTwin('room-1');
  const documents: DeadLetterDocument[] = [];
  const sink: DeadLetterSink = { target: 'memory', write: async (_n, d) => void documents.push(d) };
  const config = compilePipelineConfig(withExpression('($scale := 2; $scale($))'), 't');
  const worker = createWorker({ env: {}, config, port, deadLetters: sink });
  const event: RawEvent = {
    body: Buffer.from(JSON.stringify({ temperature: 20 })),
    index: 0,
    sequenceNumber: 0,
    enqueuedTimeUtc: '2024-05-01T10:00:00',
    systemProperties: { 'iothub-connection-device-id': 'room-1' },
    properties: {},
  };
  await processBatch([event], worker.ingest);
  expect(documents).toHaveLength(1);
  const text = JSON.stringify(documents[0]);
  expect(documents[0]?.detail).toBe('ingest.rules[0].properties[0]: expression failed: $scale is not a function at character 21 (T1006)');
  expect(text).not.toMatch(/: :|": /);
  worker.close();
});
