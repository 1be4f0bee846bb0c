import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/db.ts';
import type { Database } from '../../platform/db/client.ts';
import { isAppError } from '../../platform/errors.ts';
import * as experiments from './index.ts';

// The experiments module on PGlite, or PostgreSQL with TEST_DATABASE_URL. Kevin Hillstrom's file is imported once,
// and the report is checked against every figure of ../shared/data/hillstrom/README.md.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const HILLSTROM = path.resolve(repoRoot, '../shared/data/hillstrom/hillstrom.csv');
const haveFile = existsSync(HILLSTROM);
const skipReason = haveFile ? '' : ` (skipped: ${HILLSTROM} is missing; ../shared/data/hillstrom/README.md says where it comes from)`;

const HEADER = 'recency,history_segment,history,mens,womens,zip_code,newbie,channel,segment,visit,conversion,spend';
const row = (segment: string, visit = 0, conversion = 0, spend = 0, zip = 'Urban') =>
  `10,2) $100 - $200,142.44,1,0,${zip},0,Phone,${segment},${visit},${conversion},${spend}`;
const csv = (lines: readonly string[]) => Readable.from([[HEADER, ...lines].join('\r\n')]);

let database: Database;
let report: experiments.ExperimentReport | undefined;

beforeAll(async () => {
  database = await openTestDatabase();
  if (haveFile) {
    await experiments.importExperiment(database, createReadStream(HILLSTROM), { name: 'hillstrom', label: HILLSTROM });
    // The published intervals are percentile bootstraps of 10,000 resamples: the same count here.
    report = await experiments.experimentReport(database, 'hillstrom', { bootstrapReps: 10_000, bootstrapSeed: 2008 });
  }
}, 120_000);

afterAll(async () => {
  await database?.close();
});

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isAppError(e)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
}

async function subjectCount(): Promise<number> {
  const rows = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM experiments.subjects`);
  return rows[0]!.n;
}

describe.skipIf(!haveFile)(`Hillstrom: the report reproduces ../shared/data/hillstrom/README.md${skipReason}`, () => {
  const arm = (name: string) => report!.arms.find((a) => a.name === name)!;
  const effect = (armName: string, outcome: string) => report!.effects.find((e) => e.arm === armName && e.outcome === outcome)!;
  const binary = (a: string, o: string) =>
    arm(a).outcomes[o] as Extract<experiments.ExperimentReport['arms'][number]['outcomes'][string], { kind: 'binary' }>;
  const continuous = (a: string, o: string) =>
    arm(a).outcomes[o] as Extract<experiments.ExperimentReport['arms'][number]['outcomes'][string], { kind: 'continuous' }>;

  it('per arm: n, visits, visit rate, conversions, conversion rate, total spend, spend per customer (the README table)', () => {
    // arm, n, visits, visit rate, conversions, conversion rate, total spend, spend per customer
    const table = [
      ['Mens E-Mail', 21_307, 3_894, '0.182757', 267, '0.012531', '30311.69', '1.422617'],
      ['Womens E-Mail', 21_387, 3_238, '0.151400', 189, '0.008837', '23038.11', '1.077202'],
      ['No E-Mail', 21_306, 2_262, '0.106167', 122, '0.005726', '13908.33', '0.652789'],
    ] as const;
    expect(report!.arms.map((a) => a.name)).toEqual(table.map((t) => t[0]));
    expect(report!.experiment).toMatchObject({ name: 'hillstrom', source: 'hillstrom', controlArm: 'No E-Mail', subjects: 64_000 });
    for (const [name, n, visits, visitRate, conversions, conversionRate, totalSpend, spendPerCustomer] of table) {
      const a = arm(name);
      expect(a.n).toBe(n);
      expect(a.control).toBe(name === 'No E-Mail');
      expect(binary(name, 'visit').successes).toBe(visits);
      expect((a.visitRate as number).toFixed(6)).toBe(visitRate);
      expect(binary(name, 'conversion').successes).toBe(conversions);
      expect((a.conversionRate as number).toFixed(6)).toBe(conversionRate);
      expect(continuous(name, 'spend').total.toFixed(2)).toBe(totalSpend);
      expect((a.spendPerCustomer as number).toFixed(6)).toBe(spendPerCustomer);
    }
  });

  it('uplift against control: visit and conversion in points, spend per customer in dollars (the README table)', () => {
    const table = [
      ['Mens E-Mail', '7.659', '0.681', '0.7698'],
      ['Womens E-Mail', '4.523', '0.311', '0.4244'],
    ] as const;
    for (const [name, visit, conversion, spend] of table) {
      expect((100 * effect(name, 'visit').effect).toFixed(3)).toBe(visit);
      expect((100 * effect(name, 'conversion').effect).toFixed(3)).toBe(conversion);
      expect(effect(name, 'spend').effect.toFixed(4)).toBe(spend);
      expect(effect(name, 'visit')).toMatchObject({ against: 'No E-Mail', method: 'newcombe', key: 'visitRate' });
      expect(effect(name, 'spend')).toMatchObject({ method: 'welch', key: 'spendPerCustomer' });
      // Both e-mails helped on every outcome: each interval lies above zero.
      for (const o of ['visit', 'conversion', 'spend']) expect(effect(name, o).ciLow).toBeGreaterThan(0);
    }
    // Newcombe's and Welch's intervals, as computed here (not published): pinned so a change is noticed.
    expect([effect('Mens E-Mail', 'visit').ciLow, effect('Mens E-Mail', 'visit').ciHigh].map((x) => x.toFixed(5))).toEqual([
      '0.06995',
      '0.08323',
    ]);
    expect([effect('Womens E-Mail', 'spend').ciLow, effect('Womens E-Mail', 'spend').ciHigh].map((x) => x.toFixed(4))).toEqual([
      '0.1690',
      '0.6799',
    ]);
  });

  it('spend per converter and the overall figures (the README lines)', () => {
    const perConverter = (name: string) => (continuous(name, 'spend').total / binary(name, 'conversion').successes).toFixed(2);
    expect(['Mens E-Mail', 'Womens E-Mail', 'No E-Mail'].map(perConverter)).toEqual(['113.53', '121.89', '114.00']);
    expect(report!.overall.n).toBe(64_000);
    expect(report!.overall.visitRate!.toFixed(5)).toBe('0.14678');
    expect(report!.overall.conversionRate!.toFixed(5)).toBe('0.00903');
    expect(report!.overall.spendPerCustomer!.toFixed(4)).toBe('1.0509');
  });

  it('per-arm 95% intervals against the published ones (aokassamali/Hillstrom-emails-experiment, numpy percentile bootstrap, 10,000 resamples)', () => {
    const published = {
      'Mens E-Mail': { visit: [0.17759, 0.18801], conversion: [0.011076, 0.014033], spend: [1.1964, 1.6632] },
      'Womens E-Mail': { visit: [0.14654, 0.15617], conversion: [0.007621, 0.010146], spend: [0.8815, 1.2874] },
      'No E-Mail': { visit: [0.10199, 0.11025], conversion: [0.00474, 0.006759], spend: [0.5042, 0.8148] },
    } as const;
    for (const [name, p] of Object.entries(published)) {
      // Rates: Wilson's interval agrees with the published bootstrap to 3 decimals (at n ≈ 21,000 both are close to
      // the normal interval, so they agree although the methods differ).
      for (const o of ['visit', 'conversion'] as const) {
        const ci = binary(name, o).ci;
        expect(ci.method).toBe('wilson');
        expect([ci.low.toFixed(3), ci.high.toFixed(3)]).toEqual([p[o][0].toFixed(3), p[o][1].toFixed(3)]);
      }
      // Spend: the same method (a percentile bootstrap of 10,000 resamples), but another random stream (numpy's
      // PCG64 there, xoroshiro128+ here), so the ends agree within Monte Carlo error, not to the digit: 0.005.
      const b = continuous(name, 'spend').bootstrapCi;
      expect(b).toMatchObject({ method: 'percentile bootstrap', reps: 10_000, seed: 2008 });
      expect(Math.abs(b.low - p.spend[0])).toBeLessThan(0.005);
      expect(Math.abs(b.high - p.spend[1])).toBeLessThan(0.005);
      // The t interval is symmetric, the bootstrap is not (spend is heavy-tailed): both are reported, each named.
      const t = continuous(name, 'spend').ci;
      expect(t.method).toBe('t');
      expect(t.high - continuous(name, 'spend').mean).toBeCloseTo(continuous(name, 'spend').mean - t.low, 10);
    }
  });

  it('effects per segment of any attribute: zip_code (categories), newbie (0/1), history (deciles)', async () => {
    const zip = await experiments.segmentReport(database, 'hillstrom', { by: 'zip_code', treatment: 'Mens E-Mail', outcome: 'visit' });
    expect(zip.segments.map((s) => s.value)).toEqual(['Rural', 'Surburban', 'Urban']);
    expect(zip.segments.reduce((n, s) => n + s.n, 0)).toBe(21_307 + 21_306);
    expect(zip.segments.map((s) => [s.nTreated + s.nControl, s.harmed, s.helped])).toEqual([
      [6_382, false, true],
      [19_126, false, true],
      [17_105, false, true],
    ]);
    for (const s of zip.segments) expect(s.ciLow!).toBeLessThan(s.effect!);
    const newbie = await experiments.segmentReport(database, 'hillstrom', { by: 'newbie', treatment: 'Womens E-Mail', outcome: 'spend' });
    expect(newbie).toMatchObject({ kind: 'continuous', binned: false, control: 'No E-Mail' });
    expect(newbie.segments.map((s) => s.value)).toEqual(['0', '1']);
    const history = await experiments.segmentReport(database, 'hillstrom', {
      by: 'history',
      treatment: 'Womens E-Mail',
      outcome: 'conversion',
    });
    expect(history.binned).toBe(true);
    expect(history.segments.length).toBeGreaterThanOrEqual(8);
    expect(history.segments.reduce((n, s) => n + s.n, 0)).toBe(21_387 + 21_306);
  });

  it('names the option and the allowed values on an unknown attribute, arm or outcome', async () => {
    const flags = { by: '--by', treatment: '--treatment', outcome: '--outcome' };
    const by = await failure(
      experiments.segmentReport(database, 'hillstrom', { by: 'colour', treatment: 'Mens E-Mail', outcome: 'visit' }, flags),
    );
    expect(by.code).toBe('VALIDATION_FAILED');
    expect(by.message).toMatch(/^--by: unknown attribute 'colour'; use one of 'recency', 'history_segment', 'history'.*'channel'/);
    const arm = await failure(
      experiments.segmentReport(database, 'hillstrom', { by: 'channel', treatment: 'No E-Mail', outcome: 'visit' }, flags),
    );
    expect(arm.message).toBe("--treatment: unknown treatment arm 'No E-Mail'; use one of 'Mens E-Mail', 'Womens E-Mail'.");
    const outcome = await failure(
      experiments.segmentReport(database, 'hillstrom', { by: 'channel', treatment: 'Mens E-Mail', outcome: 'revenue' }, flags),
    );
    expect(outcome.message).toBe("--outcome: unknown outcome 'revenue'; use one of 'visit', 'conversion', 'spend'.");
    const missing = await failure(experiments.experimentReport(database, 'nope'));
    expect(missing.code).toBe('EXPERIMENTS_NOT_FOUND');
    const notBinary = await failure(
      experiments.evaluateExperimentUplift(database, 'hillstrom', { treatment: 'Womens E-Mail', outcome: 'spend' }),
    );
    expect(notBinary.code).toBe('EXPERIMENTS_CANNOT_EVALUATE');
  });

  it('evaluates an uplift model: Womens E-Mail vs control, visit, 50/50 split, seed 0', async () => {
    const u = await experiments.evaluateExperimentUplift(database, 'hillstrom', {
      treatment: 'Womens E-Mail',
      outcome: 'visit',
      split: 0.5,
      seed: 0,
    });
    expect(u).toMatchObject({ model: 'two-model', control: 'No E-Mail', n: { train: 21_346, test: 21_347 } });
    expect(u.features).toEqual(['recency', 'history', 'mens', 'womens', 'zip_code', 'newbie', 'channel']);
    expect(u.upliftAt30).toBeCloseTo(0.0739, 4);
    expect(u.qini).toBeCloseTo(0.0618, 4);
    expect(u.auuc).toBeCloseTo(0.0286, 4);
    for (const c of [u.curves.qini, u.curves.uplift, u.curves.perfectQini]) {
      expect(c.x.length).toBeLessThanOrEqual(200);
      expect(c.x.length).toBe(c.y.length);
      expect([c.x[0], c.y[0]]).toEqual([0, 0]);
      expect(c.x[c.x.length - 1]).toBe(21_347);
    }
  });

  it('refuses a second experiment of the same name, and stores nothing more', async () => {
    const e = await failure(experiments.importExperiment(database, createReadStream(HILLSTROM), { name: 'hillstrom' }));
    expect(e.code).toBe('EXPERIMENTS_NAME_TAKEN');
    expect(await subjectCount()).toBe(64_000);
  });
});

describe('bad experiment files: a clear error, and nothing half-created', () => {
  const before = async () => ({ subjects: await subjectCount(), experiments: (await experiments.listExperiments(database)).length });

  it('an arm the experiment expects but the file lacks (an arm with zero customers)', async () => {
    const start = await before();
    const e = await failure(
      experiments.importExperiment(database, csv([row('Mens E-Mail', 1), row('Womens E-Mail'), row('Mens E-Mail')]), {
        name: 'no-control',
        label: 'two-arms.csv',
      }),
    );
    expect(e.code).toBe('EXPERIMENTS_EMPTY_ARM');
    expect(e.message).toBe(
      "two-arms.csv: the arm 'No E-Mail' has no customers (column segment); every arm of 'Mens E-Mail', 'Womens E-Mail', 'No E-Mail' needs some. Nothing was stored.",
    );
    const spec = { ...experiments.HILLSTROM_SPEC, arms: [...experiments.HILLSTROM_SPEC.arms, 'SMS'] };
    const sms = await failure(
      experiments.importExperiment(database, csv([row('Mens E-Mail'), row('Womens E-Mail'), row('No E-Mail')]), { name: 'with-sms', spec }),
    );
    expect(sms.code).toBe('EXPERIMENTS_EMPTY_ARM');
    expect(sms.details.fields).toEqual([{ field: 'segment', message: "no customers in arm 'SMS'" }]);
    expect(await before()).toEqual(start);
  });

  it('a 0/1 outcome that is not 0 or 1, named by line and field; problems after 8,000 written rows roll back', async () => {
    const start = await before();
    const good = Array.from({ length: 9_000 }, (_, i) => row(['Mens E-Mail', 'Womens E-Mail', 'No E-Mail'][i % 3]!, i % 2));
    const lines = [...good, row('No E-Mail', 1, 2), row('Mens E-Mail', 3)];
    const e = await failure(experiments.importExperiment(database, csv(lines), { name: 'not-binary', label: 'bad.csv' }));
    expect(e.code).toBe('EXPERIMENTS_OUTCOME_NOT_BINARY');
    // The header is line 1, so the 9,001st row is line 9,002.
    expect(e.message).toBe('bad.csv: line 9002: conversion: must be 0 or 1, got 2 (and 1 more problem). Nothing was stored.');
    expect(e.details.fields).toEqual([
      { field: 'conversion', line: 9002, message: 'line 9002: conversion: must be 0 or 1, got 2' },
      { field: 'visit', line: 9003, message: 'line 9003: visit: must be 0 or 1, got 3' },
    ]);
    expect(await before()).toEqual(start);
  });

  it('a missing column, an unknown arm, a value that is not a number, a short row', async () => {
    const start = await before();
    const noSpend = Readable.from([[HEADER.replace(',spend', ''), '10,2) $100 - $200,142.44,1,0,Urban,0,Phone,No E-Mail,0,0'].join('\n')]);
    const col = await failure(experiments.importExperiment(database, noSpend, { name: 'no-spend', label: 'f.csv' }));
    expect(col.code).toBe('EXPERIMENTS_INVALID_ROW');
    expect(col.message).toMatch(/^f\.csv: line 1: the header lacks the column spend/);
    const bad = await failure(
      experiments.importExperiment(
        database,
        csv([row('Mens E-Mail'), row('SMS'), row('No E-Mail', 0, 0, Number.NaN), '10,x', row('Womens E-Mail')]),
        { name: 'bad-rows', label: 'g.csv' },
      ),
    );
    expect(bad.code).toBe('EXPERIMENTS_INVALID_ROW');
    expect((bad.details.fields as { message: string }[]).map((f) => f.message)).toEqual([
      "line 3: segment: unknown arm 'SMS'; the arms are 'Mens E-Mail', 'Womens E-Mail', 'No E-Mail'",
      "line 4: spend: must be a number, got 'NaN'",
      'line 5: (row): has 2 fields, the header has 12',
    ]);
    const badName = await failure(experiments.importExperiment(database, csv([row('Mens E-Mail')]), { name: 'a b' }));
    expect(badName.code).toBe('VALIDATION_FAILED');
    expect(await before()).toEqual(start);
  });

  it('a good small file imports, and a trailing line break is not a row', async () => {
    const out = await experiments.importExperiment(
      database,
      Readable.from([`${HEADER}\r\n${[row('Mens E-Mail', 1, 1, 20.5), row('Womens E-Mail'), row('No E-Mail')].join('\r\n')}\r\n`]),
      { name: 'tiny' },
    );
    expect(out.arms).toEqual([
      { name: 'Mens E-Mail', n: 1 },
      { name: 'Womens E-Mail', n: 1 },
      { name: 'No E-Mail', n: 1 },
    ]);
    expect(out.experiment).toMatchObject({ name: 'tiny', subjects: 3, id: expect.stringMatching(/^exp_/) });
  });

  it('plans sample sizes for a rate and for a mean', () => {
    const rate = experiments.planSampleSize({ baseline: 0.106, lift: 0.01 });
    expect(rate).toMatchObject({ design: 'proportions', alpha: 0.05, power: 0.8, perArm: expect.any(Number) });
    expect(rate.target).toBeCloseTo(0.116, 12);
    expect(rate.perArm).toBeGreaterThan(15_000);
    expect(rate.perArm).toBeLessThan(16_500);
    expect(experiments.planSampleSize({ delta: 0.5, sd: 15 }).perArm).toBeGreaterThan(14_000);
    expect(() => experiments.planSampleSize({ baseline: 1.5, lift: 0.01 })).toThrow(/baseline/);
  });
});
