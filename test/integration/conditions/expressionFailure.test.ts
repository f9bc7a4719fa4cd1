// A condition whose expression fails at run time (here $number of a non-number) is taken as not
// holding, and the failure is dead-lettered by the propagate function (propagate-expression), never
// dropped silently.
import { startEmulator } from '../../../local/emulator/server';
import { AdtGateway } from '../../../shared/adt/gateway';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { parsePipelineConfig } from '../../../shared/config/load';
import { GatewayRollupPort, Propagator } from '../../../shared/rollup';
import { rollupsOf } from '../../../shared/worker';
import { createTestClient } from '../../support/emulatorClient';

const M = 'dtmi:test:expr:Panel;1';
const model = {
  '@id': M,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'label', schema: 'string' },
    { '@type': 'Property', name: 'alarm', schema: 'boolean' },
  ],
};

it('dead-letters the failing condition with its twin and reason; the state is not raised', async () => {
  const emulator = await startEmulator({ endpoints: [{ name: 'propagate', kind: 'subscriber', schema: 'CloudEvents' }] });
  try {
    const client = createTestClient(emulator);
    await client.createModels([model]);
    const letters: Array<{ name: string; document: Record<string, unknown> }> = [];
    const compiled = rollupsOf(
      parsePipelineConfig(
        `rollups:\n  conditions:\n    - { name: numeric, model: "${M}", when: "$number(label) > 1", write: { property: alarm } }\n`,
        'p.yaml',
      ),
    );
    const propagator = new Propagator({
      compiled,
      port: new GatewayRollupPort(new AdtGateway({ port: new SdkAdtPort(client) })),
      deadLetters: {
        target: 'memory',
        write: async (name, document) => void letters.push({ name, document: document as unknown as Record<string, unknown> }),
      },
    });
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    emulator.events.subscribe('propagate', async (event) => void (await propagator.handle(event, quiet)));
    await client.upsertEventRoute('r', 'propagate', 'true');
    await client.upsertDigitalTwin('p1', JSON.stringify({ $metadata: { $model: M } }));
    await emulator.events.idle(); // each delivery evaluates the twin as it is then: created, then labelled
    await client.updateDigitalTwin('p1', [{ op: 'add', path: '/label', value: 'abc' }]);
    await emulator.events.idle();
    expect((await client.getDigitalTwin('p1')).body).toHaveProperty('alarm', false); // written on create, never raised
    expect(letters).toHaveLength(1);
    expect(letters[0]?.document.reason).toBe('propagate-expression');
    expect(letters[0]?.document.detail).toMatch(/condition "numeric": .*number/i);
    expect(propagator.conditions.stats.evaluationErrors).toBe(1);
    propagator.close();
  } finally {
    await emulator.close();
  }
});
