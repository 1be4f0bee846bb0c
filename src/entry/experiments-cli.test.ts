import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCli, lastJson } from '../../test/cli.ts';

// `patron experiments …` and `patron uplift evaluate` through the real CLI, in child processes, on PGlite or (with
// TEST_DATABASE_URL) PostgreSQL. The tests run in order: the first imports Hillstrom, the others read it.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HILLSTROM = path.resolve(repoRoot, '../shared/data/hillstrom/hillstrom.csv');
const haveFile = existsSync(HILLSTROM);

let cli: TestCli;
const patron = (args: string[]) => cli.run(args);

beforeAll(async () => {
  cli = await TestCli.open('patron-experiments-cli-');
});

afterAll(async () => {
  await cli?.close();
});

describe('patron experiments: flags refused before the database is opened', () => {
  it('names the flag and what it takes', async () => {
    const [source, split, model, noFile] = await Promise.all([
      patron(['experiments', 'import', 'criteo', HILLSTROM, '--json']),
      patron(['uplift', 'evaluate', 'hillstrom', '--split', '2']),
      patron(['uplift', 'evaluate', 'hillstrom', '--model', 'forest']),
      patron(['experiments', 'import', 'hillstrom', path.join(cli.work, 'nope.csv')]),
    ]);
    expect(source.code).toBe(1);
    expect(lastJson(source.stdout).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: "source: unknown source 'criteo'; use one of hillstrom.",
    });
    expect(split.code).toBe(1);
    expect(split.stderr).toMatch(/--split.*a share strictly between 0 and 1/);
    expect(model.stderr).toMatch(/use 'two-model' or 'class-transformation'/);
    expect(noFile.stderr).toMatch(/nope\.csv: cannot read it \(no such file\)/);
  });
});

describe.skipIf(!haveFile)(`patron experiments on Hillstrom${haveFile ? '' : ` (skipped: ${HILLSTROM} is missing)`}`, () => {
  it('imports the file under its default name, with a progress bar', async () => {
    const imp = await patron(['experiments', 'import', 'hillstrom', HILLSTROM, '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    expect(lastJson(imp.stdout)).toMatchObject({
      experiment: { name: 'hillstrom', subjects: 64_000 },
      arms: [
        { name: 'Mens E-Mail', n: 21_307 },
        { name: 'Womens E-Mail', n: 21_387 },
        { name: 'No E-Mail', n: 21_306 },
      ],
    });
    expect(imp.stderr).toMatch(/Importing hillstrom: 100%/);
  }, 120_000);

  it('reports arms and effects as JSON and as a table', async () => {
    const rep = await patron(['experiments', 'report', 'hillstrom', '--json', '--bootstrap-reps', '200']);
    expect(rep.code, rep.stderr).toBe(0);
    const r = lastJson(rep.stdout);
    expect(
      r.arms.map((a: Record<string, number | string>) => [
        a.name,
        a.n,
        (a.visitRate as number).toFixed(6),
        (a.conversionRate as number).toFixed(6),
        (a.spendPerCustomer as number).toFixed(6),
      ]),
    ).toEqual([
      ['Mens E-Mail', 21_307, '0.182757', '0.012531', '1.422617'],
      ['Womens E-Mail', 21_387, '0.151400', '0.008837', '1.077202'],
      ['No E-Mail', 21_306, '0.106167', '0.005726', '0.652789'],
    ]);
    expect(r.effects).toHaveLength(6);
    expect(r.effects[0]).toMatchObject({ arm: 'Mens E-Mail', against: 'No E-Mail', outcome: 'visit', method: 'newcombe' });
    const table = await patron(['experiments', 'report', 'hillstrom', '--bootstrap-reps', '200']);
    expect(table.stdout).toMatch(/Mens E-Mail\s+21,307\s+0\.182757\s+\[0\.17762, 0\.18800\]/);
    expect(table.stdout).toMatch(/Womens E-Mail\s+\+4\.523 pp \[\+3\.889 pp, \+5\.157 pp\]\s+\+0\.311 pp/);
  }, 120_000);

  it('reports effects per segment of an attribute', async () => {
    const seg = await patron([
      'experiments',
      'report',
      'hillstrom',
      '--by',
      'history_segment',
      '--treatment',
      'Womens E-Mail',
      '--outcome',
      'spend',
      '--json',
    ]);
    expect(seg.code, seg.stderr).toBe(0);
    const s = lastJson(seg.stdout);
    expect(s.segments).toHaveLength(7);
    expect(s.segments[0]).toMatchObject({ value: '1) $0 - $100', harmed: false });
    for (const x of s.segments)
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['value', 'n', 'effect', 'ciLow', 'ciHigh', 'harmed']));
  }, 120_000);

  it('evaluates an uplift model', async () => {
    const u = await patron([
      'uplift',
      'evaluate',
      'hillstrom',
      '--treatment',
      'Womens E-Mail',
      '--outcome',
      'visit',
      '--split',
      '0.5',
      '--seed',
      '1',
      '--json',
    ]);
    expect(u.code, u.stderr).toBe(0);
    const r = lastJson(u.stdout);
    expect(r).toMatchObject({ model: 'two-model', seed: 1, n: { test: 21_347 } });
    expect(r.upliftAt30).toBeGreaterThan(0.06);
    expect(r.qini).toBeGreaterThan(0.03);
    expect(typeof r.auuc).toBe('number');
  }, 120_000);
});
