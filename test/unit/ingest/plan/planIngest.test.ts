import { parsePipelineConfig } from '../../../../shared/config/load';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';
import { planIngest } from '../../../../shared/ingest/plan/planner';

const message = (seq: number, body: Record<string, unknown>, deviceId = 'd1'): DeviceMessage => ({
  eventKey: `seq:${seq}`,
  sequenceNumber: seq,
  deviceId,
  enqueuedTime: `2024-01-01T00:00:0${seq}.000Z`,
  properties: {},
  systemProperties: {},
  body,
});

describe('planIngest', () => {
  it('coalesces per twin, keeps every contributing event key and carries the unknown-twin policy', async () => {
    const config = parsePipelineConfig(
      `ingest:
  unknownTwin: { action: create, modelId: "dtmi:example:building:Thermostat;1" }
  rules: [{ name: r, properties: [{ target: temperature, range: { max: 50 } }], telemetry: [{ fields: [power] }] }]
`,
      't.yaml',
    );
    const plan = await planIngest(
      [message(1, { temperature: 20 }), message(2, { temperature: 21, power: 3 }), message(3, { temperature: 99 }), message(4, {}, 'd2')],
      config,
    );
    expect(plan.twinUpdates).toEqual([
      {
        twinId: 'd1',
        ifMissing: { policy: 'create', modelId: 'dtmi:example:building:Thermostat;1', properties: {} },
        updates: [
          {
            twinId: 'd1',
            property: 'temperature',
            value: 21,
            sourceTime: '2024-01-01T00:00:02.000Z',
            sequenceNumber: 2,
            eventKeys: ['seq:2', 'seq:1'],
            rule: 'r',
          },
        ],
      },
    ]);
    expect(plan.coalescedValues).toBe(1);
    expect(plan.telemetry).toEqual([
      { twinId: 'd1', payload: { power: 3 }, messageId: 'd1:seq:2', sourceTime: '2024-01-01T00:00:02.000Z', eventKey: 'seq:2' },
    ]);
    expect(plan.filtered).toEqual(
      expect.arrayContaining([
        { eventKey: 'seq:3', reason: 'out-of-range' },
        { eventKey: 'seq:4', reason: 'missing-value' },
      ]),
    );
  });
});
