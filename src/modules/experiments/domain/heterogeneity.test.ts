import { describe, expect, it } from 'vitest';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { binarySegmentEffects, continuousSegmentEffects, segmentEffects, type SegmentRow } from './heterogeneity.ts';
import { newcombeDifference, summarize, welchDifference } from './stats.ts';

type Rng = ReturnType<typeof xoroshiro128plus>;

function normal(rng: Rng): number {
  // Box–Muller; 1 − u keeps the logarithm away from 0.
  const u = 1 - uniformFloat64(rng);
  const v = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

describe('segmentEffects on hand-made rows', () => {
  const rows: SegmentRow[] = [
    ...Array.from({ length: 40 }, (_, i) => ({ segment: 'web', treated: true, outcome: i < 30 ? 1 : 0 })),
    ...Array.from({ length: 40 }, (_, i) => ({ segment: 'web', treated: false, outcome: i < 10 ? 1 : 0 })),
    ...Array.from({ length: 40 }, (_, i) => ({ segment: 'phone', treated: true, outcome: i < 5 ? 1 : 0 })),
    ...Array.from({ length: 40 }, (_, i) => ({ segment: 'phone', treated: false, outcome: i < 25 ? 1 : 0 })),
    { segment: 'tiny', treated: true, outcome: 1 },
    { segment: 'tiny', treated: false, outcome: 0 },
    { segment: 'tiny', treated: false, outcome: 0 },
  ];

  it('gives each segment Newcombe’s interval for a binary outcome, in order of first appearance', () => {
    const effects = segmentEffects(rows, 'binary');
    expect(effects.map((e) => e.value)).toEqual(['web', 'phone', 'tiny']);
    const [web, phone] = effects;
    const expected = newcombeDifference(30, 40, 10, 40);
    expect(web).toEqual({
      value: 'web',
      n: 80,
      nTreated: 40,
      nControl: 40,
      effect: expected.estimate,
      ciLow: expected.low,
      ciHigh: expected.high,
      harmed: false,
      helped: true,
    });
    expect(phone).toMatchObject({ harmed: true, helped: false });
    expect(phone?.ciHigh).toBeLessThan(0);
  });

  it('gives no effect and no flag to a segment with an arm under two customers, however extreme its numbers', () => {
    expect(segmentEffects(rows, 'binary')[2]).toEqual({
      value: 'tiny',
      n: 3,
      nTreated: 1,
      nControl: 2,
      effect: null,
      ciLow: null,
      ciHigh: null,
      harmed: false,
      helped: false,
    });
  });

  it('flags on the interval, never on the point estimate', () => {
    // A 10-point drop measured on 30 customers per arm: the estimate is negative but the interval spans zero.
    const [e] = binarySegmentEffects([{ value: 'x', treated: { n: 30, successes: 6 }, control: { n: 30, successes: 9 } }]);
    expect(e?.effect).toBeLessThan(0);
    expect(e?.ciLow).toBeLessThan(0);
    expect(e?.ciHigh).toBeGreaterThan(0);
    expect(e).toMatchObject({ harmed: false, helped: false });
  });

  it('reverses harm and help for an outcome where lower is better', () => {
    const [phone] = segmentEffects(
      rows.filter((r) => r.segment === 'phone'),
      'binary',
      { lowerIsBetter: true },
    );
    expect(phone).toMatchObject({ harmed: false, helped: true });
  });

  it('uses Welch for a continuous outcome, from rows or summaries alike', () => {
    const t = [12.5, 0, 3.2, 40, 0, 0, 7.7, 15];
    const c = [0, 0, 2.1, 5, 0, 9.9, 0];
    const fromRows = segmentEffects(
      [
        ...t.map((outcome) => ({ segment: 's', treated: true, outcome })),
        ...c.map((outcome) => ({ segment: 's', treated: false, outcome })),
      ],
      'continuous',
    );
    const fromSummaries = continuousSegmentEffects([{ value: 's', treated: summarize(t), control: summarize(c) }]);
    const welch = welchDifference(summarize(t), summarize(c));
    expect(fromRows[0]?.effect).toBeCloseTo(welch.estimate, 12);
    expect(fromRows[0]?.ciLow).toBeCloseTo(welch.low, 10);
    expect(fromRows[0]?.ciHigh).toBeCloseTo(welch.high, 10);
    expect(fromSummaries[0]?.ciLow).toBeCloseTo(welch.low, 10);
  });

  it('names bad input', () => {
    expect(() => segmentEffects([{ segment: 'a', treated: true, outcome: 2 }], 'binary')).toThrow(
      /row 0 \(segment 'a'\): outcome must be 0 or 1/,
    );
    expect(() => segmentEffects([{ segment: 'a', treated: true, outcome: Number.NaN }], 'continuous')).toThrow(/must be a finite number/);
    expect(() =>
      binarySegmentEffects([
        { value: 'a', treated: { n: 5, successes: 1 }, control: { n: 5, successes: 1 } },
        { value: 'a', treated: { n: 5, successes: 1 }, control: { n: 5, successes: 1 } },
      ]),
    ).toThrow(/segment 'a' appears more than once/);
    expect(() => binarySegmentEffects([{ value: 'b', treated: { n: 1, successes: 3 }, control: { n: 5, successes: 1 } }])).toThrow(
      /segment 'b' treated: counts must be integers/,
    );
    expect(() => segmentEffects([], 'binary', { confidence: 95 })).toThrow(/confidence must be strictly between 0 and 1/);
  });
});

describe('seeded simulation: known heterogeneous effects (acceptance criterion)', () => {
  // Four segments of a realistic campaign, about 3,000 customers each, half treated. Visit rates control → treated:
  const SEGMENTS = [
    { value: 'harmed', control: 0.2, treated: 0.15 }, // −5 pp
    { value: 'null', control: 0.2, treated: 0.2 }, // no effect
    { value: 'helped', control: 0.1, treated: 0.15 }, // +5 pp
    { value: 'slight', control: 0.3, treated: 0.31 }, // +1 pp, too small to see at this size
  ] as const;
  const CUSTOMERS = 12_000;
  const REPS = 400;

  it('flags the harmed segment in the large majority of runs and the null segment at most 5% of the time', () => {
    const rng = xoroshiro128plus(20240615);
    const flagged = { harmed: 0, nullHarmed: 0, nullHelped: 0, helpedHarmed: 0, helped: 0 };
    const rows: SegmentRow[] = Array.from({ length: CUSTOMERS }, () => ({ segment: '', treated: false, outcome: 0 }));
    for (let r = 0; r < REPS; r++) {
      for (const row of rows) {
        const s = SEGMENTS[Math.floor(uniformFloat64(rng) * SEGMENTS.length)] ?? SEGMENTS[0];
        row.segment = s.value;
        row.treated = uniformFloat64(rng) < 0.5;
        row.outcome = uniformFloat64(rng) < (row.treated ? s.treated : s.control) ? 1 : 0;
      }
      const effects = new Map(segmentEffects(rows, 'binary').map((e) => [e.value, e]));
      if (effects.get('harmed')?.harmed) flagged.harmed += 1;
      if (effects.get('null')?.harmed) flagged.nullHarmed += 1;
      if (effects.get('null')?.helped) flagged.nullHelped += 1;
      if (effects.get('helped')?.harmed) flagged.helpedHarmed += 1;
      if (effects.get('helped')?.helped) flagged.helped += 1;
    }
    // Measured with this seed: harmed flagged 96.5% (386/400); null flagged harmed 1.25% (5/400), helped 2.75% (11/400);
    // the helped segment flagged helped 98.25% (393/400), never harmed. Expected for the null: 2.5% per side.
    expect(flagged.harmed / REPS).toBeGreaterThanOrEqual(0.8);
    expect(flagged.nullHarmed / REPS).toBeLessThanOrEqual(0.05);
    expect(flagged.nullHelped / REPS).toBeLessThanOrEqual(0.05);
    expect(flagged.helpedHarmed).toBe(0);
    expect(flagged.helped / REPS).toBeGreaterThanOrEqual(0.8);
  });

  it('does the same for a skewed continuous outcome (spend), with Welch', () => {
    const rng = xoroshiro128plus(99);
    const reps = 200;
    let harmed = 0;
    let nullHarmed = 0;
    // Spend: 0 for most customers, log-normal for the ~20% who buy; the treatment scales spend in two segments.
    const spendScale = { harmed: 0.8, null: 1 } as const;
    const rows: SegmentRow[] = Array.from({ length: 12_000 }, () => ({ segment: '', treated: false, outcome: 0 }));
    for (let r = 0; r < reps; r++) {
      for (const row of rows) {
        const segment = uniformFloat64(rng) < 0.5 ? 'harmed' : 'null';
        row.segment = segment;
        row.treated = uniformFloat64(rng) < 0.5;
        const buys = uniformFloat64(rng) < 0.2;
        row.outcome = buys ? Math.exp(4 + 0.5 * normal(rng)) * (row.treated ? spendScale[segment] : 1) : 0;
      }
      const effects = new Map(segmentEffects(rows, 'continuous').map((e) => [e.value, e]));
      if (effects.get('harmed')?.harmed) harmed += 1;
      if (effects.get('null')?.harmed) nullHarmed += 1;
    }
    // Measured with this seed: harmed (−20% spend) flagged 97% (194/200), null flagged harmed 3% (6/200).
    expect(harmed / reps).toBeGreaterThanOrEqual(0.8);
    expect(nullHarmed / reps).toBeLessThanOrEqual(0.05);
  });
});
