import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATRON_BIN, TestCli, lastJson } from '../../test/cli.ts';

let cli: TestCli;
let work: string;
const patron = (args: string[]) => cli.run(args);

beforeAll(async () => {
  cli = await TestCli.open('patron-jobs-cli-');
  work = cli.work;
  writeFileSync(
    join(work, 'receipts.csv'),
    [
      'receipt_id,customer_id,date,amount,currency',
      'R1,C-1,2011-11-05,10.50,GBP',
      'R2,C-1,2011-12-01,4.25,GBP',
      'R3,C-2,2011-12-06,3.00,GBP',
      'R4,C-3,2010-12-06,7.00,GBP',
      // After the as-of date: must not count.
      'R5,C-4,2011-12-20,9.00,GBP',
    ].join('\n'),
  );
  const imported = await patron(['import', 'receipts', join(work, 'receipts.csv'), '--json', '--no-progress']);
  expect(imported.code).toBe(0);
  expect(lastJson(imported.stdout)).toMatchObject({ receiptsCreated: 5 });
});

afterAll(async () => {
  await cli?.close();
});

describe('patron jobs', () => {
  it('runs segments.refresh now with --as-of and prints its run as one JSON object on the last line', async () => {
    const r = await patron(['jobs', 'run', 'segments.refresh', '--as-of', '2011-12-10', '--json']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out).toMatchObject({
      job: 'segments.refresh',
      source: 'now',
      status: 'succeeded',
      attempt: 1,
      payload: { asOf: '2011-12-10' },
      result: { asOf: '2011-12-10', currency: 'GBP', net: false, customers: 3, gridVersion: 1 },
      error: null,
    });
    expect(out.id).toMatch(/^jrn_/);
    const list = lastJson((await patron(['jobs', 'list', '--json'])).stdout);
    const job = list.jobs.find((j: { name: string }) => j.name === 'segments.refresh');
    expect(job).toMatchObject({ schedule: '30 2 * * *', lastRun: { id: out.id, status: 'succeeded' } });
  });

  it('exits 1 with a clear message on an unknown job, a bad payload or a failed run', async () => {
    // Refused before the database is opened, so these four run side by side.
    const [unknown, misspelt, badDate, notJson] = await Promise.all([
      patron(['jobs', 'run', 'segments.nope', '--json']),
      patron(['jobs', 'run', 'segments.refresh', '--payload', '{"as_of":"2011-12-10"}', '--json']),
      patron(['jobs', 'run', 'segments.refresh', '--as-of', '2011-02-30']),
      patron(['jobs', 'run', 'segments.refresh', '--payload', '{asOf:']),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown job 'segments\.nope'.*segments\.refresh/);
    expect(lastJson(unknown.stdout).error).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'name' }] });

    expect(misspelt.code).toBe(1);
    expect(misspelt.stderr).toMatch(/payload field 'as_of'/);
    expect(lastJson(misspelt.stdout).error.fields[0].field).toBe('as_of');

    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toMatch(/asOf.*not a calendar date/);

    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/--payload: not JSON/);

    const empty = await patron(['jobs', 'run', 'segments.refresh', '--as-of', '2001-01-01', '--json']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/segments\.refresh failed.*No purchases on or before 2001-01-01/);
    expect(lastJson(empty.stdout)).toMatchObject({ status: 'failed', attempt: 1, error: expect.stringMatching(/No purchases/) });
  });

  it.runIf(!process.env.TEST_DATABASE_URL)('explains on PGlite that `patron serve` runs the jobs, instead of starting a worker', async () => {
    const r = await patron(['worker']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DATABASE_URL.*patron serve/s);
  });

  it.runIf(!!process.env.TEST_DATABASE_URL)('starts a pg-boss worker on PostgreSQL and stops it on SIGTERM', async () => {
    const child = spawn('node', [PATRON_BIN, ...cli.args(['worker'])], { env: cli.env(), cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Once: a second SIGTERM ends a worker at once, by design.
      if (!signalled && stderr.includes('Worker started')) signalled = child.kill('SIGTERM');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    expect(stderr).toMatch(/Worker started: .*segments\.refresh \(30 2 \* \* \* UTC\)/);
    expect(stderr).toMatch(/Worker started: .*loyalty\.expire \(10 3 \* \* \* UTC\)/);
    expect(stderr).toMatch(/Stopping/);
    expect(code).toBe(0);
  });
});
