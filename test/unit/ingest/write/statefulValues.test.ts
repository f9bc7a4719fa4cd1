// The arithmetic of stateful transforms (write/statefulValues), against independent computations:
// the trapezoid rule over irregular readings, ema with irregular steps, counter resets, rates.
import type { Reading, StatefulTransform } from '../../../../shared/ingest/message';
import { foldReadings, type StatefulState } from '../../../../shared/ingest/write/statefulValues';

const base = Date.UTC(2024, 0, 1);
const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString();
const reading = (seconds: number, value: number, eventKey = `e${seconds}`): Reading => ({ value, sourceTime: at(seconds), eventKey });

const integrate: StatefulTransform = { kind: 'integrate', input: 'power', perSeconds: 3600 };

describe('integrate (trapezoid rule)', () => {
  // Irregular sampling: steps of 7 s, 61 s, 0.5 s, 3600 s, 13 s.
  const samples: Array<[number, number]> = [
    [0, 1000],
    [7, 1500],
    [68, 200],
    [68.5, 3000],
    [3668.5, 2500],
    [3681.5, 0],
  ];

  it('equals the trapezoid sum over irregular readings to 1e-9', () => {
    let expected = 0;
    for (let i = 1; i < samples.length; i++) {
      const [t0, v0] = samples[i - 1] as [number, number];
      const [t1, v1] = samples[i] as [number, number];
      expected += ((v0 + v1) / 2) * ((t1 - t0) / 3600);
    }
    const outcome = foldReadings(
      integrate,
      {},
      samples.map(([s, v]) => reading(s, v)),
    );
    expect(Math.abs((outcome.state.output as number) - expected)).toBeLessThan(1e-9);
    expect(outcome.state).toMatchObject({ previous: 0, previousTime: at(3681.5) });
  });

  it('folds in sourceTime order whatever order the readings come in, and continues from the stored state', () => {
    const shuffled = [3, 0, 5, 1, 4, 2].map((i) => samples[i] as [number, number]).map(([s, v]) => reading(s, v));
    const whole = foldReadings(integrate, {}, shuffled);
    // The same readings in two batches: the second starts from what the first stored.
    const first = foldReadings(
      integrate,
      {},
      shuffled.filter((r) => Date.parse(r.sourceTime) - base <= 68_000),
    );
    const second = foldReadings(
      integrate,
      first.state,
      shuffled.filter((r) => Date.parse(r.sourceTime) - base > 68_000),
    );
    expect(Math.abs((second.state.output as number) - (whole.state.output as number))).toBeLessThan(1e-9);
  });

  it('never rewinds: an older reading is skipped (out of order), a reading at the state time is skipped (already folded)', () => {
    const stored: StatefulState = { previous: 100, previousTime: at(100), output: 5 };
    const outcome = foldReadings(integrate, stored, [reading(50, 9999, 'old'), reading(100, 100, 'again'), reading(136, 200, 'new')]);
    expect(outcome.skipped).toEqual([
      { reading: reading(50, 9999, 'old'), reason: 'reading-out-of-order' },
      { reading: reading(100, 100, 'again'), reason: 'reading-already-folded' },
    ]);
    expect(outcome.state.output).toBeCloseTo(5 + (150 * 36) / 3600, 12);
  });

  it('does not integrate across a gap longer than maxGapSeconds: the total is kept and the reading starts a new segment', () => {
    const gapped: StatefulTransform = { ...integrate, maxGapSeconds: 600 };
    const outcome = foldReadings(gapped, { previous: 1000, previousTime: at(0), output: 2 }, [reading(3600, 500), reading(3960, 700)]);
    // Only the 360 s segment after the gap counts.
    expect(outcome.state.output).toBeCloseTo(2 + (600 * 360) / 3600, 12);
  });

  it('starts a total at 0 from the first reading, or keeps a stored total when the input has no stored reading', () => {
    expect(foldReadings(integrate, {}, [reading(0, 50)]).state.output).toBe(0);
    expect(foldReadings(integrate, { output: 12 }, [reading(0, 50)]).state.output).toBe(12);
  });
});

describe('rate', () => {
  it('is the change per hour (or second) since the previous reading, none for the first or across a gap', () => {
    const perHour: StatefulTransform = { kind: 'rate', input: 'meter', perSeconds: 3600, maxGapSeconds: 1000 };
    expect(foldReadings(perHour, {}, [reading(0, 10)]).state.output).toBeUndefined();
    const outcome = foldReadings(perHour, { previous: 10, previousTime: at(0) }, [reading(900, 13)]);
    expect(outcome.state.output).toBeCloseTo(3 / 0.25, 12);
    // Across a gap the stored rate stays; the reading is the new previous sample.
    const gap = foldReadings(perHour, { previous: 13, previousTime: at(900), output: 12 }, [reading(5000, 99)]);
    expect(gap.state).toEqual({ previous: 99, previousTime: at(5000), output: 12 });
    const perSecond: StatefulTransform = { kind: 'rate', input: 'meter', perSeconds: 1 };
    expect(foldReadings(perSecond, { previous: 1, previousTime: at(0) }, [reading(4, 3)]).state.output).toBeCloseTo(0.5, 12);
  });
});

describe('counter', () => {
  const counter: StatefulTransform = { kind: 'counter', input: 'rawCount' };
  it('adds increments, treats a lower reading as a reset (the total continues from the previous total + the reading)', () => {
    const outcome = foldReadings(counter, {}, [reading(0, 100), reading(10, 130), reading(20, 5), reading(30, 12)]);
    // 100 (the count so far) + 30, reset: + 5, then + 7.
    expect(outcome.state.output).toBe(142);
    expect(outcome.state.previous).toBe(12);
  });
  it('continues a stored total from the stored previous reading, and keeps a stored total as the baseline when no reading is stored', () => {
    expect(foldReadings(counter, { previous: 40, previousTime: at(0), output: 1000 }, [reading(5, 3)]).state.output).toBe(1003);
    expect(foldReadings(counter, { output: 1000 }, [reading(5, 3000)]).state.output).toBe(1000);
  });
});

describe('delta', () => {
  it('is the change since the stored reading', () => {
    const delta: StatefulTransform = { kind: 'delta', input: 'level' };
    expect(foldReadings(delta, { previous: 4.5, previousTime: at(0) }, [reading(3, 7), reading(9, 6)]).state.output).toBe(-1);
    expect(foldReadings(delta, {}, [reading(3, 7)]).state.output).toBeUndefined();
  });
});

describe('ema with irregular sampling', () => {
  it('uses alpha = 1 − exp(−Δt/τ) per step', () => {
    const ema: StatefulTransform = { kind: 'ema', input: 'rawTemperature', timeConstantSeconds: 60 };
    const steps: Array<[number, number]> = [
      [0, 20],
      [5, 30],
      [125, 10],
      [126, 40],
    ];
    let expected = 20;
    for (let i = 1; i < steps.length; i++) {
      const dt = (steps[i] as [number, number])[0] - (steps[i - 1] as [number, number])[0];
      expected += (1 - Math.exp(-dt / 60)) * ((steps[i] as [number, number])[1] - expected);
    }
    const outcome = foldReadings(
      ema,
      {},
      steps.map(([s, v]) => reading(s, v)),
    );
    expect(Math.abs((outcome.state.output as number) - expected)).toBeLessThan(1e-9);
    // Two steps of 30 s equal one of 60 s for a constant reading (what irregular sampling needs).
    const two = foldReadings(ema, { previous: 0, previousTime: at(0), output: 0 }, [reading(30, 10), reading(60, 10)]);
    const one = foldReadings(ema, { previous: 0, previousTime: at(0), output: 0 }, [reading(60, 10)]);
    expect(Math.abs((two.state.output as number) - (one.state.output as number))).toBeLessThan(1e-12);
  });
});
