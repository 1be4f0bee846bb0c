import type { Queryable, Session } from '../../platform/db/client.ts';
import { copyRows, pgArray } from '../../platform/db/copy.ts';
import { newId } from '../../platform/ids.ts';
import { receiptContentHash, receiptTotal, type ReceiptInput } from './domain/receipt.ts';

export type StoredReceiptRef = { storeCode: string; number: string; receiptId: string; customerId: string };

export type StoreReceiptsResult = {
  /** Receipts written now, with their new ids. */
  created: (StoredReceiptRef & { lineCount: number })[];
  /** Receipts already stored with the same content: nothing written. */
  skipped: StoredReceiptRef[];
  /** Receipts whose store and number are stored with different content: nothing written. */
  conflicts: { storeCode: string; number: string; index: number }[];
};

/** Above this many rows, COPY beats a multi-row INSERT. */
const COPY_THRESHOLD = 200;

const RECEIPT_COLUMNS_WRITTEN = [
  'customer_id', 'id', 'store_code', 'number', 'kind', 'occurred_at', 'currency', 'total_minor', 'line_count',
  'line_skus', 'line_quantities', 'line_unit_price_minor', 'line_amount_minor', 'original_receipt_id', 'source',
  'import_run_id',
] as const;
/** Their types, for a VALUES list whose parameters have no column to take a type from. */
const RECEIPT_COLUMN_TYPES = [
  'text', 'text', 'text', 'text', 'text', 'timestamptz', 'text', 'int8', 'int4',
  'text[]', 'numeric[]', 'int8[]', 'int8[]', 'text', 'text', 'text',
] as const;

type Prepared = { r: ReceiptInput; index: number; key: string; hash: string; id: string };

function receiptRow(p: Prepared): (string | number | null)[] {
  return [
    p.r.customerId, p.id, p.r.storeCode, p.r.number, p.r.kind, p.r.occurredAt.toISOString(), p.r.currency,
    receiptTotal(p.r.lines), p.r.lines.length,
    pgArray(p.r.lines.map((l) => l.sku)), pgArray(p.r.lines.map((l) => l.quantity)),
    pgArray(p.r.lines.map((l) => l.unitPriceMinor)), pgArray(p.r.lines.map((l) => l.amountMinor)),
    p.r.originalReceiptId ?? null, p.r.source, p.r.importRunId ?? null,
  ];
}

/**
 * Stores receipts whole, at most once per (store, number), in the caller's transaction. A fixed number of statements
 * whatever the batch size. Below COPY_THRESHOLD, one statement claims the keys and writes the receipts whose keys it
 * won; above it, one claims the keys and COPY writes the receipts. A key already taken costs one more statement, to
 * tell a repeat (same content) from a conflict. Concurrent writers of the same key cannot both win: the key insert
 * decides.
 *
 * With `ahead` (a transaction whose COMMIT is sent before the answers are read: Session.commitAhead), a number
 * already taken fails the statement (23505) instead of being reported, so that the transaction rolls back by itself.
 */
export async function storeReceipts(s: Session, input: readonly ReceiptInput[], opts: { ahead?: boolean } = {}): Promise<StoreReceiptsResult> {
  const result: StoreReceiptsResult = { created: [], skipped: [], conflicts: [] };
  if (input.length === 0) return result;
  const prepared: Prepared[] = input.map((r, index) => ({
    r,
    index,
    key: `${r.storeCode}\u0000${r.number}`,
    hash: receiptContentHash(r),
    id: r.id ?? newId('receipt', r.occurredAt.getTime()),
  }));
  const firstByKey = new Map<string, Prepared>();
  const repeats: Prepared[] = [];
  for (const p of prepared) {
    if (firstByKey.has(p.key)) repeats.push(p);
    else firstByKey.set(p.key, p);
  }
  const unique = [...firstByKey.values()];
  const together = unique.length < COPY_THRESHOLD;
  if (opts.ahead && (!together || repeats.length > 0)) throw new Error('storeReceipts: ahead takes fewer receipts than the COPY threshold, each number once');
  const claimed = together
    ? await claimAndWrite(s, unique, opts.ahead === true)
    : await s.query<{ store_code: string; number: string }>(
        `INSERT INTO sales.receipt_keys (store_code, number, customer_id, receipt_id, content_hash)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (store_code, number) DO NOTHING
         RETURNING store_code, number`,
        [
          unique.map((p) => p.r.storeCode),
          unique.map((p) => p.r.number),
          unique.map((p) => p.r.customerId),
          unique.map((p) => p.id),
          unique.map((p) => p.hash),
        ],
      );
  const won = new Set(claimed.map((c) => `${c.store_code}\u0000${c.number}`));
  const toWrite = unique.filter((p) => won.has(p.key));
  const lost = [...unique.filter((p) => !won.has(p.key)), ...repeats];
  if (lost.length > 0) {
    const existing = await s.query<{ store_code: string; number: string; receipt_id: string; customer_id: string; content_hash: string }>(
      `SELECT k.store_code, k.number, k.receipt_id, k.customer_id, k.content_hash
       FROM sales.receipt_keys k JOIN unnest($1::text[], $2::text[]) AS t(store_code, number) USING (store_code, number)`,
      [lost.map((p) => p.r.storeCode), lost.map((p) => p.r.number)],
    );
    const byKey = new Map(existing.map((e) => [`${e.store_code}\u0000${e.number}`, e]));
    for (const p of lost) {
      const e = byKey.get(p.key);
      if (e && e.content_hash === p.hash) {
        result.skipped.push({ storeCode: p.r.storeCode, number: p.r.number, receiptId: e.receipt_id, customerId: e.customer_id });
      } else {
        result.conflicts.push({ storeCode: p.r.storeCode, number: p.r.number, index: p.index });
      }
    }
  }
  if (toWrite.length === 0) return result;
  if (!together) await writeRows(s, 'sales.receipts', RECEIPT_COLUMNS_WRITTEN, toWrite.map(receiptRow));
  for (const p of toWrite) {
    result.created.push({ storeCode: p.r.storeCode, number: p.r.number, receiptId: p.id, customerId: p.r.customerId, lineCount: p.r.lines.length });
  }
  return result;
}

/**
 * One statement: claims the receipts' keys, and writes the receipts whose keys it claimed (a number already taken,
 * now or by a concurrent writer, writes nothing, or with `failIfTaken` fails the statement). Answers the keys
 * claimed. One round trip, so that a pipelined transaction can send the statements after it without waiting (the
 * till's group commit).
 */
async function claimAndWrite(s: Session, unique: readonly Prepared[], failIfTaken: boolean): Promise<{ store_code: string; number: string }[]> {
  const params: unknown[] = [];
  const types = [...RECEIPT_COLUMN_TYPES, 'text'];
  const tuples = unique.map((p) => {
    const row = [...receiptRow(p), p.hash];
    return `(${row.map((v, i) => (params.push(v), `$${params.length}::${types[i]}`)).join(', ')})`;
  });
  const cols = RECEIPT_COLUMNS_WRITTEN.map((c) => `"${c}"`).join(', ');
  return s.query<{ store_code: string; number: string }>(
    `WITH v (${cols}, content_hash) AS (VALUES ${tuples.join(', ')}),
     k AS (
       INSERT INTO sales.receipt_keys (store_code, number, customer_id, receipt_id, content_hash)
       SELECT store_code, number, customer_id, id, content_hash FROM v
       ${failIfTaken ? '' : 'ON CONFLICT (store_code, number) DO NOTHING'}
       RETURNING receipt_id)
     INSERT INTO sales.receipts (${cols}) SELECT ${cols} FROM v WHERE id IN (SELECT receipt_id FROM k)
     RETURNING store_code, number`,
    params,
  );
}

async function writeRows(
  s: Session,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length >= COPY_THRESHOLD) {
    await s.copyCsv(table, columns, copyRows(rows));
    return;
  }
  const params: unknown[] = [];
  const tuples = rows.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
  await s.query(`INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`, params);
}

export type ReceiptRow = {
  id: string;
  customerId: string;
  storeCode: string;
  number: string;
  kind: string;
  occurredAt: Date;
  currency: string;
  totalMinor: number;
  lineCount: number;
  originalReceiptId: string | null;
  source: string;
};

export type LineRow = { receiptId: string; lineNo: number; sku: string | null; quantity: string; unitPriceMinor: number; amountMinor: number };

function receiptColumns(alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}id, ${a}customer_id AS "customerId", ${a}store_code AS "storeCode", ${a}number, ${a}kind,
    ${a}occurred_at AS "occurredAt", ${a}currency, ${a}total_minor AS "totalMinor", ${a}line_count AS "lineCount",
    ${a}original_receipt_id AS "originalReceiptId", ${a}source`;
}
const RECEIPT_COLUMNS = receiptColumns();

export async function findReceiptByKey(q: Queryable, storeCode: string, number: string): Promise<ReceiptRow | undefined> {
  const rows = await q.query<ReceiptRow>(
    `SELECT ${receiptColumns('r')}
     FROM sales.receipt_keys k JOIN sales.receipts r ON r.customer_id = k.customer_id AND r.id = k.receipt_id
     WHERE k.store_code = $1 AND k.number = $2`,
    [storeCode, number],
  );
  return rows[0];
}

export async function findReceiptsByIds(q: Queryable, customerId: string, ids: readonly string[]): Promise<ReceiptRow[]> {
  return q.query<ReceiptRow>(`SELECT ${RECEIPT_COLUMNS} FROM sales.receipts WHERE customer_id = $1 AND id = ANY($2::text[])`, [customerId, ids]);
}

export async function findLines(q: Queryable, customerIds: readonly string[], receiptIds: readonly string[]): Promise<LineRow[]> {
  if (receiptIds.length === 0) return [];
  return q.query<LineRow>(
    `SELECT receipt_id AS "receiptId", line_no AS "lineNo", sku, quantity::text AS quantity,
            unit_price_minor AS "unitPriceMinor", amount_minor AS "amountMinor"
     FROM sales.receipt_lines WHERE customer_id = ANY($1::text[]) AND receipt_id = ANY($2::text[])
     ORDER BY receipt_id, line_no`,
    [customerIds, receiptIds],
  );
}

export type CustomerTotals = {
  currency: string;
  receipts: number;
  returns: number;
  revenueMinor: number;
  returnsMinor: number;
  firstPurchaseAt: Date | null;
  lastPurchaseAt: Date | null;
};

/** Totals per currency for one customer, in one aggregate query over the (customer_id, occurred_at) index. */
export async function customerTotals(q: Queryable, customerId: string): Promise<CustomerTotals[]> {
  return q.query<CustomerTotals>(
    `SELECT currency,
            count(*) FILTER (WHERE kind = 'sale')::int AS receipts,
            count(*) FILTER (WHERE kind = 'return')::int AS returns,
            COALESCE(sum(total_minor) FILTER (WHERE kind = 'sale'), 0)::int8 AS "revenueMinor",
            COALESCE(-sum(total_minor) FILTER (WHERE kind = 'return'), 0)::int8 AS "returnsMinor",
            min(occurred_at) FILTER (WHERE kind = 'sale') AS "firstPurchaseAt",
            max(occurred_at) FILTER (WHERE kind = 'sale') AS "lastPurchaseAt"
     FROM sales.receipts WHERE customer_id = $1 GROUP BY currency ORDER BY currency`,
    [customerId],
  );
}

/** A page of a customer's receipts, newest first, after the keyset cursor (occurred_at, id). */
export async function receiptPage(
  q: Queryable,
  customerId: string,
  limit: number,
  after?: { at: Date; id: string },
): Promise<ReceiptRow[]> {
  return q.query<ReceiptRow>(
    `SELECT ${RECEIPT_COLUMNS} FROM sales.receipts
     WHERE customer_id = $1 AND ($2::timestamptz IS NULL OR (occurred_at, id) < ($2::timestamptz, $3::text))
     ORDER BY occurred_at DESC, id DESC LIMIT $4`,
    [customerId, after?.at ?? null, after?.id ?? null, limit],
  );
}

/** Moves a merged customer's receipts to the surviving customer (delete and re-insert, since the key changes). */
export async function reassignReceipts(s: Session, from: string, to: string): Promise<number> {
  const moved = await s.query<{ n: number }>(
    `WITH r AS (DELETE FROM sales.receipts WHERE customer_id = $1 RETURNING *),
          ins AS (INSERT INTO sales.receipts (customer_id, id, store_code, number, kind, occurred_at, currency,
                    total_minor, line_count, line_skus, line_quantities, line_unit_price_minor, line_amount_minor,
                    original_receipt_id, source, import_run_id, created_at)
                  SELECT $2, id, store_code, number, kind, occurred_at, currency, total_minor,
                    line_count, line_skus, line_quantities, line_unit_price_minor, line_amount_minor,
                    original_receipt_id, source, import_run_id, created_at FROM r RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [from, to],
  );
  await s.query(`UPDATE sales.receipt_keys SET customer_id = $2 WHERE customer_id = $1`, [from, to]);
  return moved[0]?.n ?? 0;
}

export async function countReceipts(q: Queryable): Promise<{ receipts: number; returns: number; lines: number }> {
  const rows = await q.query<{ receipts: number; returns: number; lines: number }>(
    `SELECT count(*) FILTER (WHERE kind = 'sale')::int AS receipts, count(*) FILTER (WHERE kind = 'return')::int AS returns,
            COALESCE(sum(line_count), 0)::int AS lines FROM sales.receipts`,
  );
  return rows[0] ?? { receipts: 0, returns: 0, lines: 0 };
}

/** The currency with the most purchases on or before the date: what analytics counts money in by default. */
/** Net spend (purchases less returns) and purchases per customer in [from, to), in one currency; one customer or all. */
export async function spendByCustomer(
  q: Queryable,
  from: Date,
  to: Date,
  currency: string,
  customerId?: string,
): Promise<{ customerId: string; spendMinor: number; purchases: number }[]> {
  return q.query(
    `SELECT customer_id AS "customerId", (sum(purchase_minor) - sum(return_minor))::int8 AS "spendMinor", (count(*) FILTER (WHERE is_purchase))::int AS purchases
     FROM sales.customer_receipts
     WHERE occurred_at >= $1 AND occurred_at < $2 AND currency = $3 AND ($4::text IS NULL OR customer_id = $4)
     GROUP BY customer_id`,
    [from, to, currency, customerId ?? null],
  );
}

/** The day (UTC) of the latest purchase, so that a database of old receipts (the demo) still reports figures. */
export async function latestPurchaseDate(q: Queryable): Promise<string | undefined> {
  const rows = await q.query<{ d: string | null }>(`SELECT ((max(occurred_at) AT TIME ZONE 'UTC')::date)::text AS d FROM sales.purchases`);
  return rows[0]?.d ?? undefined;
}

export async function mainCurrency(q: Queryable, onOrBefore: string): Promise<string | undefined> {
  const rows = await q.query<{ currency: string }>(
    `SELECT currency FROM sales.purchases WHERE occurred_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'
     GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1`,
    [onOrBefore],
  );
  return rows[0]?.currency;
}
