import { createReadStream, createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip, gunzipSync } from 'node:zlib';
import Papa from 'papaparse';
import type { Queryable } from '../src/platform/db/client.ts';

/**
 * Reads import sources and stored receipts for the import tests, independently of the importer: its own CSV read,
 * its own money arithmetic (BigInt), so that a bug in the importer cannot hide behind the same bug here.
 */

/** All records of a CSV file (plain or gzip), header included: `records[i]` is physical line i + 1. */
export function readCsvRecords(path: string): string[][] {
  const raw = readFileSync(path);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  return parsed.data;
}

/** Exact half-to-even rounding of quantity × unit price to minor units of a 2-decimal currency. */
export function lineAmountPence(quantity: string, unitPrice: string): bigint {
  const scaled = (t: string): [bigint, number] => {
    const neg = t.trim().startsWith('-');
    const [int = '0', frac = ''] = t.trim().replace(/^[+-]/, '').split('.');
    const v = BigInt(`${int}${frac}` || '0');
    return [neg ? -v : v, frac.length];
  };
  const [q, qs] = scaled(quantity);
  const [p, ps] = scaled(unitPrice);
  const shift = qs + ps - 2;
  if (shift <= 0) return q * p * 10n ** BigInt(-shift);
  const div = 10n ** BigInt(shift);
  const prod = q * p;
  const abs = prod < 0n ? -prod : prod;
  let quo = abs / div;
  const twice = (abs % div) * 2n;
  if (twice > div || (twice === div && quo % 2n === 1n)) quo += 1n;
  return prod < 0n ? -quo : quo;
}

export type StoredReceipt = { storeCode: string; number: string; lineCount: number; totalMinor: number; kind: string };

export async function storedReceipts(q: Queryable, storeCode?: string): Promise<StoredReceipt[]> {
  return q.query<StoredReceipt>(
    `SELECT store_code AS "storeCode", number, line_count AS "lineCount", total_minor AS "totalMinor", kind
     FROM sales.receipts WHERE $1::text IS NULL OR store_code = $1 ORDER BY store_code, number`,
    [storeCode ?? null],
  );
}

/** Receipts stored more than once under one (store, number): must always be empty. */
export async function doubledReceipts(q: Queryable): Promise<{ storeCode: string; number: string; n: number }[]> {
  return q.query(
    `SELECT store_code AS "storeCode", number, count(*)::int AS n FROM sales.receipts GROUP BY 1, 2 HAVING count(*) > 1`,
  );
}

/**
 * Stored receipts whose line count differs from the source (a half-stored receipt), as
 * `number: stored vs source`. Empty when every stored receipt is whole.
 */
export function partialReceipts(stored: readonly StoredReceipt[], sourceLines: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const r of stored) {
    const want = sourceLines.get(r.number);
    if (want !== r.lineCount) out.push(`${r.number}: ${r.lineCount} stored vs ${want ?? 'none'} in the file`);
  }
  return out;
}

/** The rejects CSV as objects keyed by its header (line, field, reason, then the source columns). */
export function readRejects(path: string): Record<string, string>[] {
  const [header, ...rows] = readCsvRecords(path);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** The Online Retail demo that ships in the repository. */
export const DEMO = fileURLToPath(new URL('../demo/online_retail.csv.gz', import.meta.url));

/** The first `lines` data lines of the Online Retail demo (with its header), as a CSV file of their own. */
export async function demoHead(lines: number): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'patron-demo-')), `online-retail-${lines}.csv`);
  const out = createWriteStream(file);
  const rl = createInterface({ input: createReadStream(DEMO).pipe(createGunzip()), crlfDelay: Infinity });
  let n = -1;
  for await (const line of rl) {
    out.write(`${line}\n`);
    if (++n >= lines) break;
  }
  rl.close();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return file;
}
