import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATRON_BIN, TestCli, lastJson } from '../../test/cli.ts';
import { VERSION } from '../platform/paths.ts';

let cli: TestCli;
let work: string;
const patron = (args: string[], env: Record<string, string> = {}) => cli.run(args, env);

beforeAll(async () => {
  cli = await TestCli.open('patron-cli-');
  work = cli.work;
});

afterAll(async () => {
  await cli?.close();
});

describe('patron CLI', () => {
  it('runs from its bundle, built on first use, and from the sources one by one without it', async () => {
    const bundled = await patron(['--version']);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.stdout.trim()).toBe(VERSION);
    const bundle = new URL('../node_modules/.cache/patron/cli.mjs', `file://${PATRON_BIN}`).pathname;
    expect(statSync(bundle).mtimeMs).toBeGreaterThanOrEqual(statSync(new URL('./cli.ts', import.meta.url)).mtimeMs);
    const sources = await patron(['--version'], { PATRON_NO_BUNDLE: '1' });
    expect(sources.code, sources.stderr).toBe(0);
    expect(sources.stdout.trim()).toBe(VERSION);
  });

  it('creates an API key and prints one JSON object as the last line of stdout', async () => {
    const r = await patron(['keys', 'create', '--role', 'till', '--name', 'till 1', '--json']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out).toMatchObject({ role: 'till', name: 'till 1' });
    expect(out.secret).toMatch(/^ptr_[\w-]{43}$/);
    const list = lastJson((await patron(['keys', 'list', '--json'])).stdout);
    expect(list.keys.map((k: { id: string }) => k.id)).toContain(out.id);
    expect(JSON.stringify(list)).not.toContain(out.secret);
  });

  it('exits 1 naming the flag on a bad role, and naming the variable on bad configuration', async () => {
    const bad = await patron(['keys', 'create', '--role', 'wizard']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--role.*wizard|wizard.*admin, analyst, till, agent, partner/s);
    const env = await patron(['status'], { PORT: 'eighty' });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/PORT/);
  });

  it('imports a receipts CSV and reports the counts; a missing file exits 1 with a JSON error', async () => {
    const file = join(work, 'orders.csv');
    writeFileSync(
      file,
      ['receipt_id,customer_id,date,amount,currency,sku,quantity', 'A1,C-1,2024-01-05,10.50,EUR,X,1', 'A1,C-1,2024-01-05,4.25,EUR,Y,1', 'A2,C-2,2024-01-06T10:00:00Z,3,EUR,X,2', 'A3,C-2,2024-13-01,3,EUR,X,1'].join('\n'),
    );
    const r = await patron(['import', 'receipts', file, '--json']);
    expect(r.code).toBe(0);
    const s = lastJson(r.stdout);
    expect(s).toMatchObject({ linesRead: 4, linesImported: 3, linesRejected: 1, receiptsCreated: 2, receiptsSkipped: 0, customersCreated: 2 });
    expect(s.rejectsFile).toBe(join(work, 'orders.rejects.csv'));
    const again = lastJson((await patron(['import', 'receipts', file, '--json'])).stdout);
    expect(again).toMatchObject({ receiptsCreated: 0, receiptsSkipped: 2, customersCreated: 0, linesCreated: 0 });
    const missing = await patron(['import', 'receipts', join(work, 'nope.csv'), '--json']);
    expect(missing.code).toBe(1);
    expect(lastJson(missing.stdout).error.code).toBe('IMPORT_FILE_UNREADABLE');
    expect(missing.stderr).toMatch(/nope\.csv/);
    const status = lastJson((await patron(['status', '--json'])).stdout);
    expect(status).toMatchObject({ customers: 2, receipts: 2, lines: 3 });
  });
});
