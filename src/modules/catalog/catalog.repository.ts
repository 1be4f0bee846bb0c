import { eq } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { stores } from './catalog.schema.ts';

export type StoreRow = typeof stores.$inferSelect;

/**
 * Raw SQL, not the query builder: the statement is sent when this is called, so that in a pipelined transaction it
 * goes with the statements sent beside it, before a COMMIT sent ahead (Session.commitAhead). A Drizzle query is sent
 * only when awaited, a turn later.
 */
export async function insertStoreIfMissing(q: Queryable, store: { code: string; name: string; currency: string }): Promise<void> {
  await q.query(`INSERT INTO catalog.stores (code, name, currency) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`, [
    store.code,
    store.name,
    store.currency,
  ]);
}

export async function findStore(q: Queryable, code: string): Promise<StoreRow | undefined> {
  const rows = await q.db.select().from(stores).where(eq(stores.code, code));
  return rows[0];
}

export async function listStores(q: Queryable): Promise<StoreRow[]> {
  return q.db.select().from(stores).orderBy(stores.code);
}

/** Adds products not seen before, in one statement. Existing products keep their name: the catalog is not rewritten by receipts. */
export async function insertProductsIfMissing(
  q: Queryable,
  list: readonly { sku: string; name: string | null; category?: string | null; brand?: string | null }[],
): Promise<number> {
  if (list.length === 0) return 0;
  const rows = await q.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO catalog.products (sku, name, category, brand)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (sku) DO NOTHING RETURNING 1
     ) SELECT count(*)::int AS n FROM ins`,
    [list.map((p) => p.sku), list.map((p) => p.name), list.map((p) => p.category ?? null), list.map((p) => p.brand ?? null)],
  );
  return rows[0]?.n ?? 0;
}
