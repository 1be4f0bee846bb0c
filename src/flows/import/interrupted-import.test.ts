import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SHARED_DATA, onPostgres, openTestDatabase } from '../../../test/db.ts';
import { doubledReceipts, partialReceipts, readCsvRecords, storedReceipts } from '../../../test/import-source.ts';
import { openPglite, type Database } from '../../platform/db/client.ts';

const ONLINE_RETAIL = join(SHARED_DATA, 'online-retail/online_retail.csv.gz');
const BIN = new URL('../../../bin/patron.js', import.meta.url).pathname;
/** Online Retail invoices minus the two bad-debt adjustments with a negative UnitPrice (README: "2 of them negative"). */
const CLEAN_RECEIPTS = 25_900 - 2;
/** README: 4,372 customers. */
const CUSTOMERS = 4_372;

let dir: string;
let linesPerInvoice: Map<string, number>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patron-killed-'));
  linesPerInvoice = new Map();
  for (const r of readCsvRecords(ONLINE_RETAIL).slice(1)) linesPerInvoice.set(r[0]!, (linesPerInvoice.get(r[0]!) ?? 0) + 1);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Finished = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

describe('an import killed mid-way', () => {
  // Two CLI runs in child processes, each starting tsx and the database: slower than the in-process tests.
  it('leaves only whole receipts, and a rerun completes to the totals of a clean import', { timeout: 240_000 }, async () => {
    // The real CLI in a child process, on a database of its own: a PGlite data dir, or a PostgreSQL database.
    const dataDir = join(dir, 'data');
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    let pgTarget: (Database & { url?: string }) | undefined;
    if (onPostgres) {
      pgTarget = await openTestDatabase();
      env.DATABASE_URL = pgTarget.url!;
    } else {
      // Already migrated, from the dump of the global setup (a fresh PGlite plus migrations takes several times longer).
      const lite = await PGlite.create({ dataDir, loadDataDir: new Blob([readFileSync(inject('pgliteDump'))]) });
      await lite.close();
    }
    const globals = onPostgres ? ['--json'] : ['--data-dir', dataDir, '--json'];
    const cli = (args: string[]) => spawn('node', [BIN, ...globals, ...args], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const finished = (child: ReturnType<typeof cli>) =>
      new Promise<Finished>((res) => {
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (c) => (stdout += c));
        child.stderr!.on('data', (c) => (stderr += c));
        child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
      });
    const open = async () => (onPostgres ? pgTarget! : openPglite(dataDir));
    const release = async (db: Database) => {
      if (!onPostgres) await db.close();
    };
    const check = async (db: Database) => {
      const stored = await storedReceipts(db, 'online-retail');
      expect(partialReceipts(stored, linesPerInvoice)).toEqual([]);
      expect(await doubledReceipts(db)).toEqual([]);
      return stored.length;
    };

    try {
      if (!onPostgres) expect((await finished(cli(['migrate']))).code).toBe(0);
      const importArgs = ['import', 'online-retail', ONLINE_RETAIL, '--rejects', join(dir, 'rejects.csv')];
      const child = cli(importArgs);
      const done = finished(child);
      // SIGKILL once a progress line on stderr reports committed receipts ("… lines, 1,234 receipts").
      let committed = 0;
      await new Promise<void>((res, rej) => {
        child.stderr!.on('data', (c: Buffer) => {
          for (const m of String(c).matchAll(/([\d,]+) receipts\)/g)) committed = Math.max(committed, Number(m[1]!.replace(/,/g, '')));
          if (committed > 0 && child.exitCode === null) {
            child.kill('SIGKILL');
            res();
          }
        });
        child.on('close', () => rej(new Error('the import ended before it was killed')));
      });
      const killed = await done;
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.stdout).toBe('');

      // After the kill: whole receipts only, at least those reported committed, and not all of them.
      let db = await open();
      const afterKill = await check(db);
      await release(db);
      expect(afterKill).toBeGreaterThanOrEqual(committed);
      expect(afterKill).toBeLessThan(CLEAN_RECEIPTS);

      const rerun = await finished(cli(importArgs));
      expect(rerun.code, rerun.stderr).toBe(0);
      const summary = JSON.parse(rerun.stdout.trim().split('\n').at(-1)!);
      expect(summary.receiptsSkipped).toBe(afterKill);
      expect(summary.receiptsCreated + summary.receiptsSkipped).toBe(CLEAN_RECEIPTS);

      db = await open();
      try {
        expect(await check(db)).toBe(CLEAN_RECEIPTS);
        const [t] = await db.query<{ customers: number; keys: number; lines: number }>(
          `SELECT (SELECT count(*)::int FROM customers.customers) AS customers,
                  (SELECT count(*)::int FROM sales.receipt_keys) AS keys,
                  (SELECT COALESCE(sum(line_count), 0)::int FROM sales.receipts) AS lines`,
        );
        expect(t).toEqual({ customers: CUSTOMERS, keys: CLEAN_RECEIPTS, lines: [...linesPerInvoice.values()].reduce((a, b) => a + b) - 2 });
      } finally {
        await release(db);
      }
    } finally {
      await pgTarget?.close();
    }
  });
});
