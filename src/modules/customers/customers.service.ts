import type { Database, Queryable, Session } from '../../platform/db/client.ts';
import { config } from '../../platform/config.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Customer, CreateCustomerBody, UpdateCustomerBody } from './customers.contract.ts';
import { customerNotFound, identityTaken } from './customers.errors.ts';
import * as repo from './customers.repository.ts';
import { normalizeIdentity, type IdentityKind } from './domain/identity.ts';

type IdentityIn = { kind: IdentityKind; value: string };

/** Canonical forms of the given identities; throws VALIDATION_FAILED naming the offending entry. */
function normalizeAll(list: readonly IdentityIn[], field: string): IdentityIn[] {
  const out: IdentityIn[] = [];
  const errors: { field: string; message: string }[] = [];
  list.forEach((l, i) => {
    const n = normalizeIdentity(l.kind, l.value, config().phoneCountry);
    if ('error' in n) errors.push({ field: `${field}.${i}.value`, message: `${l.kind} ${n.error}` });
    else if (!out.some((o) => o.kind === l.kind && o.value === n.value)) out.push({ kind: l.kind, value: n.value });
  });
  if (errors.length > 0) {
    throw new AppError('VALIDATION_FAILED', `Invalid identity: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, {
      fields: errors,
    });
  }
  return out;
}

function toDto(row: repo.CustomerRow, ids: repo.IdentityRow[], consents: repo.ConsentRow[]): Customer {
  return {
    id: row.id,
    status: row.status as Customer['status'],
    mergedInto: row.mergedInto,
    fullName: row.fullName,
    birthDate: row.birthDate,
    gender: row.gender,
    country: row.country,
    attributes: row.attributes,
    identities: ids.filter((i) => i.customerId === row.id).map((i) => ({ kind: i.kind, value: i.value })),
    consents: consents
      .filter((c) => c.customerId === row.id)
      .map((c) => ({ channel: c.channel, granted: c.granted, source: c.source, givenAt: new Date(c.givenAt).toISOString() })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Customers with their identities and current consents, in the order of `ids`; missing ids are left out. */
export async function findCustomerDtos(q: Queryable, ids: readonly string[]): Promise<Customer[]> {
  // On the pool the three reads run side by side; inside a transaction (one connection) one after the other.
  const [rows, idents, consents] =
    'transaction' in q
      ? await Promise.all([repo.findCustomers(q, ids), repo.findIdentities(q, ids), repo.findCurrentConsents(q, ids)])
      : [await repo.findCustomers(q, ids), await repo.findIdentities(q, ids), await repo.findCurrentConsents(q, ids)];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [toDto(r, idents, consents)] : [];
  });
}

/** The customer, or CUSTOMERS_NOT_FOUND. A merged customer is returned as is: its `mergedInto` says where it went. */
export async function getCustomer(q: Queryable, id: string): Promise<Customer> {
  const [c] = await findCustomerDtos(q, [id]);
  if (!c) throw customerNotFound(`with id ${id}`);
  return c;
}

export async function createCustomer(database: Database, body: CreateCustomerBody): Promise<Customer> {
  return database.transaction(async (s) => getCustomer(s, await createCustomerInTx(s, body)));
}

/** Creates a customer inside the caller's transaction and returns its id. */
export async function createCustomerInTx(s: Session, body: CreateCustomerBody): Promise<string> {
  const idents = normalizeAll(body.identities, 'identities');
  const id = newId('customer');
  {
    await repo.insertCustomer(s, {
      id,
      fullName: body.fullName ?? null,
      birthDate: body.birthDate ?? null,
      gender: body.gender ?? null,
      country: body.country ?? null,
      attributes: body.attributes ?? {},
    });
    const { taken } = await repo.insertIdentities(s, id, idents);
    if (taken.length > 0) throw identityTaken(taken);
    await repo.insertConsents(s, id, consentRows(body.consents));
  }
  return id;
}

function consentRows(list: CreateCustomerBody['consents']) {
  return (list ?? []).map((c) => ({
    channel: c.channel,
    granted: c.granted,
    source: c.source,
    givenAt: c.givenAt ? new Date(c.givenAt) : new Date(),
  }));
}

async function getActive(q: Queryable, id: string): Promise<repo.CustomerRow> {
  const [row] = await repo.findCustomers(q, [id]);
  if (!row) throw customerNotFound(`with id ${id}`);
  if (row.status === 'erased') throw new AppError('CUSTOMERS_ERASED', `Customer ${id} was erased on request.`);
  if (row.status === 'merged') {
    throw new AppError('CUSTOMERS_MERGED', `Customer ${id} was merged into ${row.mergedInto}.`, { mergedInto: row.mergedInto });
  }
  return row;
}

export async function updateCustomer(database: Database, id: string, body: UpdateCustomerBody): Promise<Customer> {
  const add = normalizeAll(body.addIdentities ?? [], 'addIdentities');
  const remove = normalizeAll(body.removeIdentities ?? [], 'removeIdentities');
  return database.transaction(async (s) => {
    await repo.lockCustomers(s, [id]);
    const row = await getActive(s, id);
    const fields: Parameters<typeof repo.updateCustomerFields>[2] = {};
    if (body.fullName !== undefined) fields.fullName = body.fullName;
    if (body.birthDate !== undefined) fields.birthDate = body.birthDate;
    if (body.gender !== undefined) fields.gender = body.gender;
    if (body.country !== undefined) fields.country = body.country;
    if (body.attributes !== undefined) fields.attributes = { ...row.attributes, ...body.attributes };
    await repo.updateCustomerFields(s, id, fields);
    await repo.deleteIdentities(s, id, remove);
    const { taken } = await repo.insertIdentities(s, id, add);
    if (taken.length > 0) throw identityTaken(taken);
    await repo.insertConsents(s, id, consentRows(body.consents));
    return getCustomer(s, id);
  });
}

/** The customer holding this identity, or CUSTOMERS_NOT_FOUND. */
export async function findCustomerIdByIdentity(q: Queryable, kind: IdentityKind, value: string): Promise<string | undefined> {
  const n = normalizeIdentity(kind, value, config().phoneCountry);
  if ('error' in n) return undefined;
  return repo.findCustomerIdByIdentity(q, kind, n.value);
}

/** The till's view of the customer holding an identity (id, birth date), or undefined; a malformed value is unknown. */
/** The active customers holding these identities (card, phone, ...), in the order given: one statement for all. */
export async function findTillCustomers(
  q: Queryable,
  identities: readonly { kind: IdentityKind; value: string }[],
): Promise<({ id: string; birthDate: string | null } | undefined)[]> {
  const normalized = identities.map((i) => normalizeIdentity(i.kind, i.value, config().phoneCountry));
  const valid = normalized.flatMap((n, i) => ('error' in n ? [] : [{ i, kind: identities[i]!.kind, value: n.value }]));
  const found = await repo.findTillCustomers(q, valid);
  const out: ({ id: string; birthDate: string | null } | undefined)[] = identities.map(() => undefined);
  valid.forEach((v, k) => (out[v.i] = found[k]));
  return out;
}

/**
 * The customer holding an identity, registering a new customer with it when nobody does, inside the caller's
 * transaction (a card issued at the till). The identity must be well-formed.
 */
export async function findOrCreateByIdentity(s: Session, identity: IdentityIn): Promise<{ id: string; created: boolean }> {
  const [n] = normalizeAll([identity], 'customer');
  const found = await repo.findCustomerIdByIdentity(s, n!.kind, n!.value);
  if (found) return { id: found, created: false };
  return { id: await createCustomerInTx(s, { identities: [n!] }), created: true };
}

/** Adds an identity (a new card) to a customer inside the caller's transaction; CUSTOMERS_IDENTITY_TAKEN if held. */
export async function attachIdentity(s: Session, customerId: string, identity: IdentityIn): Promise<void> {
  const list = normalizeAll([identity], 'identity');
  const { taken } = await repo.insertIdentities(s, customerId, list);
  if (taken.length > 0) throw identityTaken(taken);
}

export async function lookupCustomer(q: Queryable, kind: IdentityKind, value: string): Promise<Customer> {
  const id = await findCustomerIdByIdentity(q, kind, value);
  if (!id) throw customerNotFound(`with ${kind} ${value}`);
  return getCustomer(q, id);
}

export async function searchCustomers(q: Queryable, text: string, limit: number): Promise<Customer[]> {
  return findCustomerDtos(q, await repo.searchCustomerIds(q, text.trim(), limit));
}

/**
 * The customer side of a merge, inside the caller's transaction: `from` loses its identities and consents to `into`
 * and is marked merged. The flow that calls this moves the rest of the history.
 */
export async function mergeCustomersInTx(s: Session, into: string, from: string, actor: string): Promise<void> {
  if (into === from)
    throw new AppError('VALIDATION_FAILED', 'A customer cannot be merged into itself.', {
      fields: [{ field: 'from', message: 'equals the target customer' }],
    });
  await repo.lockCustomers(s, [into, from]);
  await getActive(s, into);
  await getActive(s, from);
  await repo.moveCustomerData(s, from, into, actor);
  await repo.updateCustomerFields(s, from, { status: 'merged', mergedInto: into });
}

/** Erasure on request: personal data goes, the customer id and its receipts stay for the books. */
export async function eraseCustomer(database: Database, id: string): Promise<Customer> {
  return database.transaction(async (s) => {
    await repo.lockCustomers(s, [id]);
    const [row] = await repo.findCustomers(s, [id]);
    if (!row) throw customerNotFound(`with id ${id}`);
    await repo.eraseCustomerData(s, id);
    return getCustomer(s, id);
  });
}

export const resolveExternalIds = repo.resolveExternalIds;
export const resolveIdentities = repo.resolveIdentities;

/** Who holds each of these identities of one kind (values normalized): value → customer id, for those held. */
export async function identityOwners(q: Queryable, kind: IdentityKind, values: readonly string[]): Promise<Map<string, string>> {
  const rows = await repo.findIdentityOwners(
    q,
    values.map((value) => ({ kind, value })),
  );
  return new Map(rows.map((r) => [r.value, r.customerId]));
}

/** Adds one identity (normalized) to each of many customers, in the caller's transaction; CUSTOMERS_IDENTITY_TAKEN if held. */
export async function attachIdentities(
  s: Session,
  list: readonly { customerId: string; kind: IdentityKind; value: string }[],
): Promise<void> {
  const { taken } = await repo.attachIdentities(s, list);
  if (taken.length > 0) throw identityTaken(taken);
}
export const countCustomers = repo.countCustomers;
export const customerIdsAfter = repo.customerIdsAfter;
