import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable, Session } from '../../platform/db/client.ts';
import { newId } from '../../platform/ids.ts';
import { consents, customers, identities, merges } from './customers.schema.ts';
import type { ConsentChannel, IdentityKind } from './domain/identity.ts';

export type CustomerRow = typeof customers.$inferSelect;
export type IdentityRow = { customerId: string; kind: IdentityKind; value: string };
export type ConsentRow = { customerId: string; channel: ConsentChannel; granted: boolean; source: string; givenAt: Date };

/**
 * Resolves the retailer's own customer ids to customer ids, creating the customers that do not exist yet.
 * Set-based: three statements whatever the number of ids. Safe under concurrent imports: the identity insert
 * decides which process creates a customer, and only its customer row is written.
 */
export async function resolveExternalIds(
  s: Session,
  items: readonly { externalId: string; country?: string | null; attributes?: Record<string, unknown> }[],
): Promise<{ ids: Map<string, string>; created: number }> {
  return resolveIdentities(
    s,
    'external',
    items.map((i) => ({ value: i.externalId, country: i.country ?? null, attributes: i.attributes })),
  );
}

/**
 * resolveExternalIds for any kind of identity, its values normalized: the customer holding each, a new one
 * registered with it where nobody does.
 */
export async function resolveIdentities(
  s: Session,
  kind: IdentityKind,
  items: readonly { value: string; country?: string | null; attributes?: Record<string, unknown> | undefined }[],
): Promise<{ ids: Map<string, string>; created: number }> {
  const ids = new Map<string, string>();
  if (items.length === 0) return { ids, created: 0 };
  const holders = (values: string[]) =>
    s.query<{ value: string; customer_id: string }>(
      `SELECT value, customer_id FROM customers.identities WHERE kind = $1 AND value = ANY($2::text[])`,
      [kind, values],
    );
  for (const r of await holders(items.map((i) => i.value))) ids.set(r.value, r.customer_id);
  const missing = items.filter((i) => !ids.has(i.value));
  if (missing.length === 0) return { ids, created: 0 };
  const newIds = missing.map(() => newId('customer'));
  const inserted = await s.query<{ value: string; customer_id: string }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) AS t(value, customer_id, country, attributes)
     ), ident AS (
       INSERT INTO customers.identities (kind, value, customer_id)
       SELECT $5, value, customer_id FROM input
       ON CONFLICT (kind, value) DO NOTHING
       RETURNING value, customer_id
     ), cust AS (
       INSERT INTO customers.customers (id, country, attributes)
       SELECT i.customer_id, input.country, COALESCE(input.attributes, '{}'::jsonb)
       FROM ident i JOIN input USING (value)
     )
     SELECT value, customer_id FROM ident`,
    [
      missing.map((m) => m.value),
      newIds,
      missing.map((m) => m.country ?? null),
      missing.map((m) => (m.attributes ? JSON.stringify(m.attributes) : null)),
      kind,
    ],
  );
  for (const r of inserted) ids.set(r.value, r.customer_id);
  if (inserted.length < missing.length) {
    // Another process created some of them between our read and our insert: read those back.
    for (const r of await holders(missing.filter((m) => !ids.has(m.value)).map((m) => m.value))) ids.set(r.value, r.customer_id);
  }
  return { ids, created: inserted.length };
}

/**
 * Adds one identity to each of many customers (a card each), set-based: returns those another customer holds, and
 * then inserts nothing. An identity a customer holds already is left as it is.
 */
export async function attachIdentities(
  q: Queryable,
  list: readonly { customerId: string; kind: IdentityKind; value: string }[],
): Promise<{ taken: IdentityRow[] }> {
  if (list.length === 0) return { taken: [] };
  // One identity asked for two customers: the second finds it taken by the first.
  const wanted = new Map<string, string>();
  const unique: { customerId: string; kind: IdentityKind; value: string }[] = [];
  for (const l of list) {
    const key = `${l.kind}\u0000${l.value}`;
    const other = wanted.get(key);
    if (other !== undefined && other !== l.customerId) return { taken: [{ customerId: other, kind: l.kind, value: l.value }] };
    if (other === undefined) unique.push(l);
    wanted.set(key, l.customerId);
  }
  const existing = await findIdentityOwners(q, unique);
  const taken = existing.filter((e) => wanted.get(`${e.kind}\u0000${e.value}`) !== e.customerId);
  if (taken.length > 0) return { taken };
  // Held by someone else since the read: the insert fails on the unique key, and the caller's transaction with it.
  const held = new Set(existing.map((e) => `${e.kind}\u0000${e.value}`));
  const fresh = unique.filter((l) => !held.has(`${l.kind}\u0000${l.value}`));
  if (fresh.length > 0)
    await q.query(`INSERT INTO customers.identities (kind, value, customer_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, [
      fresh.map((l) => l.kind),
      fresh.map((l) => l.value),
      fresh.map((l) => l.customerId),
    ]);
  return { taken: [] };
}

export async function insertCustomer(q: Queryable, row: typeof customers.$inferInsert): Promise<void> {
  await q.db.insert(customers).values(row);
}

/** Inserts identities; returns those that another customer already holds (nothing is inserted then). */
export async function insertIdentities(
  q: Queryable,
  customerId: string,
  list: readonly { kind: IdentityKind; value: string }[],
): Promise<{ taken: IdentityRow[] }> {
  if (list.length === 0) return { taken: [] };
  const existing = await findIdentityOwners(q, list);
  const taken = existing.filter((e) => e.customerId !== customerId);
  if (taken.length > 0) return { taken };
  const fresh = list.filter((l) => !existing.some((e) => e.kind === l.kind && e.value === l.value));
  if (fresh.length > 0) {
    await q.db.insert(identities).values(fresh.map((l) => ({ ...l, customerId })));
  }
  return { taken: [] };
}

export async function findIdentityOwners(q: Queryable, list: readonly { kind: IdentityKind; value: string }[]): Promise<IdentityRow[]> {
  if (list.length === 0) return [];
  return q.query<IdentityRow>(
    `SELECT i.kind, i.value, i.customer_id AS "customerId"
     FROM customers.identities i
     JOIN unnest($1::text[], $2::text[]) AS t(kind, value) USING (kind, value)`,
    [list.map((l) => l.kind), list.map((l) => l.value)],
  );
}

export async function deleteIdentities(
  q: Queryable,
  customerId: string,
  list: readonly { kind: IdentityKind; value: string }[],
): Promise<void> {
  for (const l of list) {
    await q.db
      .delete(identities)
      .where(and(eq(identities.customerId, customerId), eq(identities.kind, l.kind), eq(identities.value, l.value)));
  }
}

export async function findCustomers(q: Queryable, ids: readonly string[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return q.db
    .select()
    .from(customers)
    .where(inArray(customers.id, [...ids]));
}

export async function findIdentities(q: Queryable, customerIds: readonly string[]): Promise<IdentityRow[]> {
  if (customerIds.length === 0) return [];
  return q.query<IdentityRow>(
    `SELECT customer_id AS "customerId", kind, value FROM customers.identities
     WHERE customer_id = ANY($1::text[]) ORDER BY kind, value`,
    [customerIds],
  );
}

/** The current consent per customer and channel: the latest event wins. */
export async function findCurrentConsents(q: Queryable, customerIds: readonly string[]): Promise<ConsentRow[]> {
  if (customerIds.length === 0) return [];
  return q.query<ConsentRow>(
    `SELECT DISTINCT ON (customer_id, channel)
            customer_id AS "customerId", channel, granted, source, given_at AS "givenAt"
     FROM customers.consents WHERE customer_id = ANY($1::text[])
     ORDER BY customer_id, channel, given_at DESC, id DESC`,
    [customerIds],
  );
}

export async function insertConsents(
  q: Queryable,
  customerId: string,
  list: readonly { channel: ConsentChannel; granted: boolean; source: string; givenAt: Date }[],
): Promise<void> {
  if (list.length === 0) return;
  await q.db.insert(consents).values(list.map((c) => ({ ...c, customerId, id: newId('consent') })));
}

export async function findCustomerIdByIdentity(q: Queryable, kind: IdentityKind, value: string): Promise<string | undefined> {
  const rows = await q.db
    .select({ customerId: identities.customerId })
    .from(identities)
    .where(and(eq(identities.kind, kind), eq(identities.value, value)));
  return rows[0]?.customerId;
}

/** The till's view of the customer holding an identity: id and birth date, in one statement. */
/** The active customers holding these identities, in the order given (undefined where none does): one statement. */
export async function findTillCustomers(
  q: Queryable,
  identities: readonly { kind: IdentityKind; value: string }[],
): Promise<({ id: string; birthDate: string | null } | undefined)[]> {
  if (identities.length === 0) return [];
  const rows = await q.query<{ ord: number; id: string; birthDate: string | null }>(
    `SELECT t.ord::int AS ord, c.id, c.birth_date::text AS "birthDate"
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(kind, value, ord)
     JOIN customers.identities i ON i.kind = t.kind AND i.value = t.value
     JOIN customers.customers c ON c.id = i.customer_id
     WHERE c.status = 'active'`,
    [identities.map((i) => i.kind), identities.map((i) => i.value)],
  );
  const byOrd = new Map(rows.map((r) => [r.ord, { id: r.id, birthDate: r.birthDate }]));
  return identities.map((_, i) => byOrd.get(i + 1));
}

/** Prefix search on identity values and substring search on names, newest customers first. */
export async function searchCustomerIds(q: Queryable, text: string, limit: number): Promise<string[]> {
  const like = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM (
       SELECT customer_id AS id FROM customers.identities WHERE value LIKE $1 || '%' OR value = lower($2)
       UNION
       SELECT id FROM customers.customers WHERE lower(full_name) LIKE '%' || lower($1) || '%'
     ) m ORDER BY id DESC LIMIT $3`,
    [like, text, limit],
  );
  return rows.map((r) => r.id);
}

export async function updateCustomerFields(
  q: Queryable,
  id: string,
  fields: Partial<Pick<CustomerRow, 'fullName' | 'birthDate' | 'gender' | 'country' | 'attributes' | 'status' | 'mergedInto' | 'erasedAt'>>,
): Promise<void> {
  await q.db
    .update(customers)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(eq(customers.id, id));
}

/** Locks the rows of the given customers for the rest of the transaction, in id order to avoid deadlocks. */
export async function lockCustomers(q: Queryable, ids: readonly string[]): Promise<void> {
  await q.query(`SELECT id FROM customers.customers WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [ids]);
}

/** Moves identities and consents of `from` to `to`, and records the merge. */
export async function moveCustomerData(q: Queryable, from: string, to: string, actor: string): Promise<void> {
  await q.query(`UPDATE customers.identities SET customer_id = $2 WHERE customer_id = $1`, [from, to]);
  await q.query(
    `INSERT INTO customers.consents (customer_id, id, channel, granted, source, given_at, recorded_at)
     SELECT $2, id, channel, granted, source, given_at, recorded_at FROM customers.consents WHERE customer_id = $1`,
    [from, to],
  );
  await q.query(`DELETE FROM customers.consents WHERE customer_id = $1`, [from]);
  await q.db.insert(merges).values({ customerId: to, mergedId: from, actor });
}

/** Erasure: identities and consents are deleted, personal fields cleared; the row stays so receipts keep their key. */
export async function eraseCustomerData(q: Queryable, id: string): Promise<void> {
  await q.query(`DELETE FROM customers.identities WHERE customer_id = $1`, [id]);
  await q.query(`DELETE FROM customers.consents WHERE customer_id = $1`, [id]);
  await updateCustomerFields(q, id, {
    fullName: null,
    birthDate: null,
    gender: null,
    country: null,
    attributes: {},
    status: 'erased',
    erasedAt: new Date(),
  });
}

/** A page of the ids of customers not merged away, in id order after `after` (keyset paging). */
export async function customerIdsAfter(q: Queryable, after: string, limit: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM customers.customers WHERE status <> 'merged' AND id > $1 ORDER BY id LIMIT $2`,
    [after, limit],
  );
  return rows.map((r) => r.id);
}

export async function countCustomers(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers.customers WHERE status <> 'merged'`);
  return rows[0]?.n ?? 0;
}
