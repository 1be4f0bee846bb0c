import type { Database, Queryable, Session } from '../../platform/db/client.ts';
import { referenceCache } from '../../platform/cache.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { currencyExponent, decimalToMinor, minorToDecimal, parseDecimal } from '../../platform/money.ts';
import { validityInOrder, type CreateOfferBody, type OfferDto, type OfferRuleInput, type UpdateOfferBody } from './offers.contract.ts';
import type { Discount, Offer, OfferRule } from './domain/types.ts';
import { changeOf, creationOf, recordChange, type Actor } from './offers.history.ts';

// Offers are a small reference table; the till reads those in force with their budgets and the customer's uses in
// one statement, and claims budgets and uses at commit in two set-based statements.

type OfferRow = {
  id: string;
  name: string;
  kind: string;
  rule: OfferRule;
  groupKey: string;
  priority: number;
  validFrom: Date | null;
  validTo: Date | null;
  stores: string[] | null;
  categories: string[] | null;
  maxDiscountMinor: number | null;
  budgetMinor: number | null;
  perCustomerLimit: number | null;
  status: 'active' | 'archived';
  createdAt: Date;
  spentMinor: number;
  uses: number;
};

const COLUMNS = `o.id, o.name, o.kind, o.rule, o.group_key AS "groupKey", o.priority, o.valid_from AS "validFrom", o.valid_to AS "validTo", o.stores, o.categories,
  o.max_discount_minor AS "maxDiscountMinor", o.budget_minor AS "budgetMinor", o.per_customer_limit AS "perCustomerLimit", o.status, o.created_at AS "createdAt",
  coalesce(b.spent_minor, 0)::int8 AS "spentMinor"`;

function toDomainDiscount(d: { kind: 'percent'; percent: number } | { kind: 'amount'; amount: string }, currency: string): Discount {
  return d.kind === 'percent' ? d : { kind: 'amount', amountMinor: decimalToMinor(d.amount, currency)! };
}

/** The API's rule (decimal amounts) as the engine's rule (minor units of the program's currency). */
function toDomainRule(r: OfferRuleInput, currency: string): OfferRule {
  switch (r.kind) {
    case 'bundle':
      return r;
    case 'volume':
    case 'brand':
    case 'birthday':
    case 'tier':
    case 'personal':
      return { ...r, discount: toDomainDiscount(r.discount, currency) } as OfferRule;
  }
}

function fromDomainRule(r: OfferRule, currency: string): unknown {
  if (!('discount' in r)) return r;
  const d = r.discount;
  return { ...r, discount: d.kind === 'percent' ? d : { kind: 'amount', amount: minorToDecimal(d.amountMinor, currency) } };
}

function toDto(o: OfferRow, currency: string): OfferDto {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: o.id,
    name: o.name,
    kind: o.kind,
    rule: fromDomainRule(o.rule, currency),
    group: o.groupKey,
    priority: o.priority,
    validFrom: iso(o.validFrom),
    validTo: iso(o.validTo),
    stores: o.stores,
    categories: o.categories,
    maxDiscount: o.maxDiscountMinor === null ? null : minorToDecimal(Number(o.maxDiscountMinor), currency),
    budget: o.budgetMinor === null ? null : minorToDecimal(Number(o.budgetMinor), currency),
    budgetSpent: minorToDecimal(Number(o.spentMinor), currency),
    perCustomerLimit: o.perCustomerLimit,
    status: o.status,
    createdAt: new Date(o.createdAt).toISOString(),
  };
}

/** The program's stacking groups must hold the offer's group. */
function checkGroup(group: string, groups: readonly string[]): void {
  if (!groups.includes(group))
    throw new AppError('VALIDATION_FAILED', `group: no stacking group '${group}' in the program (${groups.join(', ')}).`, {
      fields: [{ field: 'group', message: 'unknown stacking group' }],
    });
}

/** An amount of the body in minor units of the program's currency, refused (naming `field`) when it has more decimals. */
function minorOf(field: string, v: string | null, currency: string): number | null {
  if (v === null) return null;
  let m: number | undefined;
  try {
    m = decimalToMinor(v, currency);
  } catch {
    throw new AppError('VALIDATION_FAILED', `${field}: '${v}' is too large an amount.`, { fields: [{ field, message: 'too large' }] });
  }
  if (m === undefined || (parseDecimal(v)?.scale ?? 0) > currencyExponent(currency))
    throw new AppError('VALIDATION_FAILED', `${field}: '${v}' has more decimals than ${currency} allows.`, {
      fields: [{ field, message: 'too many decimals' }],
    });
  return m;
}

/** The rule in the engine's terms, its amount checked against the currency. */
function ruleOf(rule: OfferRuleInput, currency: string): OfferRule {
  if ('discount' in rule && rule.discount.kind === 'amount') minorOf('rule.discount.amount', rule.discount.amount, currency);
  return toDomainRule(rule, currency);
}

/**
 * Creates an offer, and records its making in its history (in the caller's transaction, if any). Amounts are in the
 * program's currency; `groups` are the program's stacking group keys.
 */
export async function createOffer(
  q: Queryable,
  body: CreateOfferBody,
  currency: string,
  groups: readonly string[],
  actor: Actor = null,
): Promise<OfferDto> {
  checkGroup(body.group, groups);
  const id = newId('offer');
  const rule = ruleOf(body.rule, currency);
  await q.query(
    `WITH o AS (
       INSERT INTO offers.offers (id, name, kind, rule, group_key, priority, valid_from, valid_to, stores, categories, max_discount_minor, budget_minor, per_customer_limit, status)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'active'))
     INSERT INTO offers.budgets (offer_id, spent_minor) SELECT $1, 0 WHERE $12::int8 IS NOT NULL`,
    [
      id,
      body.name,
      body.rule.kind,
      JSON.stringify(rule),
      body.group,
      body.priority,
      body.validFrom,
      body.validTo,
      body.stores,
      body.categories,
      minorOf('maxDiscount', body.maxDiscount, currency),
      minorOf('budget', body.budget, currency),
      body.perCustomerLimit,
    ],
  );
  const made = await getOffer(q, id, currency);
  await recordChange(q, id, actor, creationOf(made));
  active.clear();
  return made;
}

/**
 * Edits an offer: the fields given change, the others stay. The rule keeps the offer's kind; the validity, as it
 * will be, must end after it starts. A budget may be raised, lowered (below what was spent, the offer stops giving)
 * or removed; what was spent stays counted. A budget added counts from the edit: a return of a sale made before it
 * gives nothing back to it (releaseBudgets). A per-customer limit may change or go, but not be added to an offer that
 * has none: such an offer does not count its uses (claimOffersMany), so it could not tell who reached the limit.
 * An archived offer does not change. Receipts committed before keep what they were given; returns reverse that.
 * Sales committing at the very moment of the edit are held to the budget as they read it.
 */
export async function updateOffer(
  database: Database,
  id: string,
  patch: UpdateOfferBody,
  currency: string,
  groups: readonly string[],
  actor: Actor = null,
): Promise<OfferDto> {
  const edited = await database.transaction(async (s) => {
    // Locked, so that two edits of one offer are checked against each other's result.
    const [o] = await s.query<OfferRow>(
      `SELECT ${COLUMNS}, 0 AS uses FROM offers.offers o LEFT JOIN offers.budgets b ON b.offer_id = o.id WHERE o.id = $1 FOR UPDATE OF o`,
      [id],
    );
    if (!o) throw new AppError('OFFERS_NOT_FOUND', `No offer ${id}.`);
    if (o.status === 'archived') throw new AppError('OFFERS_ARCHIVED', `Offer ${id} is archived and cannot change; make a new one.`);
    if (patch.rule && patch.rule.kind !== o.kind)
      throw new AppError('VALIDATION_FAILED', `rule.kind: offer ${id} is a ${o.kind} offer; a ${patch.rule.kind} offer is a new offer.`, {
        fields: [{ field: 'rule.kind', message: `must stay '${o.kind}'` }],
      });
    if (patch.group !== undefined) checkGroup(patch.group, groups);
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    const validFrom = patch.validFrom !== undefined ? patch.validFrom : iso(o.validFrom);
    const validTo = patch.validTo !== undefined ? patch.validTo : iso(o.validTo);
    if (!validityInOrder(validFrom, validTo)) {
      const field = patch.validTo !== undefined ? 'validTo' : 'validFrom';
      throw new AppError('VALIDATION_FAILED', `${field}: the offer would end (${validTo}) before it starts (${validFrom}).`, {
        fields: [{ field, message: 'validTo must be after validFrom' }],
      });
    }
    if (patch.perCustomerLimit != null && o.perCustomerLimit === null)
      throw new AppError(
        'VALIDATION_FAILED',
        `perCustomerLimit: offer ${id} has no limit, so it has not counted who used it; make a new offer with the limit.`,
        {
          fields: [{ field: 'perCustomerLimit', message: 'cannot be added to an offer that has none' }],
        },
      );
    const budgetMinor = patch.budget !== undefined ? minorOf('budget', patch.budget, currency) : o.budgetMinor;
    await s.query(
      `WITH o AS (
         UPDATE offers.offers SET name = $2, rule = $3::jsonb, group_key = $4, priority = $5, valid_from = $6, valid_to = $7, stores = $8,
           categories = $9, max_discount_minor = $10, budget_minor = $11, per_customer_limit = $12
         WHERE id = $1)
       INSERT INTO offers.budgets (offer_id, spent_minor) SELECT $1, 0 WHERE $11::int8 IS NOT NULL ON CONFLICT (offer_id) DO NOTHING`,
      [
        id,
        patch.name ?? o.name,
        JSON.stringify(patch.rule ? ruleOf(patch.rule, currency) : o.rule),
        patch.group ?? o.groupKey,
        patch.priority ?? o.priority,
        validFrom,
        validTo,
        patch.stores !== undefined ? patch.stores : o.stores,
        patch.categories !== undefined ? patch.categories : o.categories,
        patch.maxDiscount !== undefined ? minorOf('maxDiscount', patch.maxDiscount, currency) : o.maxDiscountMinor,
        budgetMinor,
        patch.perCustomerLimit !== undefined ? patch.perCustomerLimit : o.perCustomerLimit,
      ],
    );
    const after = await getOffer(s, id, currency);
    const change = changeOf(toDto(o, currency), after);
    if (Object.keys(change).length > 0) await recordChange(s, id, actor, change);
    return after;
  });
  // After COMMIT: cleared inside the transaction, the cache could be filled again with the offer as it was.
  active.clear();
  return edited;
}

export async function getOffer(q: Queryable, id: string, currency: string): Promise<OfferDto> {
  const rows = await q.query<OfferRow>(
    `SELECT ${COLUMNS}, 0 AS uses FROM offers.offers o LEFT JOIN offers.budgets b ON b.offer_id = o.id WHERE o.id = $1`,
    [id],
  );
  if (!rows[0]) throw new AppError('OFFERS_NOT_FOUND', `No offer ${id}.`);
  return toDto(rows[0], currency);
}

export async function listOffers(q: Queryable, currency: string, includeArchived = false): Promise<OfferDto[]> {
  const rows = await q.query<OfferRow>(
    `SELECT ${COLUMNS}, 0 AS uses FROM offers.offers o LEFT JOIN offers.budgets b ON b.offer_id = o.id WHERE $1 OR o.status = 'active' ORDER BY o.priority, o.id`,
    [includeArchived],
  );
  return rows.map((r) => toDto(r, currency));
}

/** Archives an offer: it stops applying; its history stays. Archiving it again changes and records nothing. */
export async function archiveOffer(database: Database, id: string, currency: string, actor: Actor = null): Promise<OfferDto> {
  const archived = await database.transaction(async (s) => {
    const done = await s.query(`UPDATE offers.offers SET status = 'archived' WHERE id = $1 AND status = 'active' RETURNING id`, [id]);
    if (done.length > 0) await recordChange(s, id, actor, { status: { from: 'active', to: 'archived' } });
    return getOffer(s, id, currency);
  });
  // After COMMIT, as for an edit.
  active.clear();
  return archived;
}

function toDomainOffer(o: OfferRow): Offer {
  return {
    id: o.id,
    name: o.name,
    rule: o.rule,
    group: o.groupKey,
    priority: o.priority,
    validFrom: o.validFrom ? new Date(o.validFrom) : null,
    validTo: o.validTo ? new Date(o.validTo) : null,
    stores: o.stores,
    categories: o.categories,
    maxDiscountMinor: o.maxDiscountMinor === null ? null : Number(o.maxDiscountMinor),
    budgetRemainingMinor: o.budgetMinor === null ? null : Math.max(0, Number(o.budgetMinor) - Number(o.spentMinor)),
    perCustomerLimit: o.perCustomerLimit,
    customerUses: o.uses,
  };
}

/**
 * The active offers, kept per database for a few seconds: the till reads them on every quote. Budgets left are as
 * of that read; a commit claims budgets exactly (claimOffersMany), so a budget never goes over whatever a quote showed.
 */
const active = referenceCache<Queryable, Offer[]>(5_000, async (q) =>
  (
    await q.query<OfferRow>(
      `SELECT ${COLUMNS}, 0 AS uses FROM offers.offers o LEFT JOIN offers.budgets b ON b.offer_id = o.id WHERE o.status = 'active' ORDER BY o.id`,
    )
  ).map(toDomainOffer),
);

/**
 * The offers in force at a store and time, from the active offers (activeOffers), with the customer's uses of the offers
 * that limit them (one statement, only when there are such offers). The engine applies the rest of the conditions.
 */
/** Forgets the cached active offers, after a transaction that changed them has committed. */
export function offersChanged(): void {
  active.clear();
}

/** The active offers (cached per database for a few seconds). Read it outside a transaction: on PGlite, a read on the database waits for the open transaction. */
export async function activeOffers(database: Queryable): Promise<Offer[]> {
  return active.get(database);
}

/** The offers valid at a store and time by their own dates and stores (budgets and uses aside). Pure. */
export function offersAt(all: readonly Offer[], store: string, at: Date): Offer[] {
  return all.filter(
    (o) => (!o.validFrom || o.validFrom <= at) && (!o.validTo || o.validTo > at) && (!o.stores || o.stores.includes(store)),
  );
}

export async function offersInForce(
  all: readonly Offer[],
  q: Queryable,
  store: string,
  at: Date,
  customerId: string | null,
  opts: { freshBudgets?: boolean } = {},
): Promise<Offer[]> {
  return (await offersInForceMany(all, q, [{ store, at, customerId }], opts))[0]!;
}

/**
 * offersInForce for several baskets at once: at most two statements whatever their number (fresh budgets for a
 * commit, and the customers' uses of limited offers), each only when needed, sent together: one round trip.
 */
export async function offersInForceMany(
  all: readonly Offer[],
  q: Queryable,
  baskets: readonly { store: string; at: Date; customerId: string | null }[],
  opts: { freshBudgets?: boolean } = {},
): Promise<Offer[][]> {
  const here = baskets.map((b) =>
    all.filter(
      (o) => (!o.validFrom || o.validFrom <= b.at) && (!o.validTo || o.validTo > b.at) && (!o.stores || o.stores.includes(b.store)),
    ),
  );
  // A commit prices with the budgets as they are now, so that the last receipts get exactly what is left.
  const budgeted = [
    ...new Set(
      here
        .flat()
        .filter((o) => o.budgetRemainingMinor !== null)
        .map((o) => o.id),
    ),
  ];
  const pairs = baskets.flatMap((b, i) =>
    b.customerId ? here[i]!.filter((o) => o.perCustomerLimit !== null).map((o) => ({ customerId: b.customerId!, offerId: o.id })) : [],
  );
  // Neither statement needs the other's answer: both leave in the same turn (one round trip on a pipelined batch).
  const [left, uses] = await Promise.all([
    opts.freshBudgets && budgeted.length > 0
      ? q.query<{ offer_id: string; left: number | null }>(
          // NULL when the budget was removed since the offers were cached (greatest() alone would make it 0).
          `SELECT b.offer_id, CASE WHEN o.budget_minor IS NOT NULL THEN greatest(0, o.budget_minor - b.spent_minor) END::int8 AS left
           FROM offers.budgets b JOIN offers.offers o ON o.id = b.offer_id WHERE b.offer_id = ANY($1::text[])`,
          [budgeted],
        )
      : [],
    pairs.length > 0
      ? q.query<{ customer_id: string; offer_id: string; uses: number }>(
          `SELECT u.customer_id, u.offer_id, u.uses FROM offers.customer_uses u JOIN unnest($1::text[], $2::text[]) AS p(customer_id, offer_id) USING (customer_id, offer_id)`,
          [pairs.map((p) => p.customerId), pairs.map((p) => p.offerId)],
        )
      : [],
  ]);
  if (left.length === 0 && uses.length === 0) return here;
  const budgetLeft = new Map(left.map((l) => [l.offer_id, l.left === null ? null : Number(l.left)]));
  const used = new Map(uses.map((u) => [`${u.customer_id}\u0000${u.offer_id}`, u.uses]));
  return here.map((list, i) => {
    const c = baskets[i]!.customerId;
    return list.map((o) => {
      const budget = budgetLeft.get(o.id);
      const n = c ? used.get(`${c}\u0000${o.id}`) : undefined;
      if (budget === undefined && n === undefined) return o;
      return { ...o, ...(budget !== undefined ? { budgetRemainingMinor: budget } : {}), ...(n !== undefined ? { customerUses: n } : {}) };
    });
  });
}

/**
 * Claims the discounts of committed receipts: budgets with a conditional update (a budget never goes over, whatever
 * the concurrency) and the customers' uses of offers with a per-customer limit; two statements whatever their number. Returns, per receipt, the offers
 * whose budget or limit ran out meanwhile: the caller re-prices without them. A budget is claimed for the sum of
 * the receipts' discounts, all or nothing, so when it ran out every receipt using it hears so; a customer's uses
 * add up over the receipts. (The till's group commit then rolls back and commits those receipts one by one.)
 * With `ahead` (a transaction whose COMMIT is sent before the answers are read: Session.commitAhead), a budget that
 * ran out or a limit reached fails its statement (PT001) instead, and the transaction rolls back by itself.
 */
export async function claimOffersMany(
  s: Session,
  receipts: readonly { customerId: string | null; applied: readonly { offerId: string; discountMinor: number }[] }[],
  opts: { ahead?: boolean } = {},
): Promise<{ exhausted: string[] }[]> {
  const sums = new Map<string, number>();
  for (const r of receipts) for (const a of r.applied) sums.set(a.offerId, (sums.get(a.offerId) ?? 0) + a.discountMinor);
  if (sums.size === 0) return receipts.map(() => ({ exhausted: [] }));
  // Budgets in key order, so that two groups claiming the same offers lock their rows in the same order. The budgets
  // and the uses are two statements sent together (no answer of one is needed by the other): one round trip in a
  // pipelined transaction.
  const offerIds = [...sums.keys()].sort();
  const uses = receipts.flatMap((r) => (r.customerId ? r.applied.map((a) => ({ customerId: r.customerId!, offerId: a.offerId })) : []));
  const budgetedP = s.query<{ offer_id: string; ok: boolean }>(
    `WITH a AS (SELECT * FROM unnest($1::text[], $2::int8[]) AS a(offer_id, amount)),
     upd AS (
       UPDATE offers.budgets b SET spent_minor = b.spent_minor + a.amount FROM a, offers.offers o
       WHERE b.offer_id = a.offer_id AND o.id = a.offer_id AND (o.budget_minor IS NULL OR b.spent_minor + a.amount <= o.budget_minor)
       RETURNING b.offer_id),
     -- Materialized, so that ensure sees the claimed offers only: on the join, it could be pushed down to the budgets' scan.
     res AS MATERIALIZED (SELECT b.offer_id, b.offer_id IN (SELECT offer_id FROM upd) AS ok FROM offers.budgets b JOIN a USING (offer_id))
     SELECT offer_id, ok FROM res${opts.ahead ? ` WHERE platform.ensure(ok, 'offers: the budget of ' || offer_id || ' ran out')` : ''}`,
    [offerIds, offerIds.map((id) => sums.get(id)!)],
  );
  const overP =
    uses.length === 0
      ? Promise.resolve([])
      : s.query<{ customer_id: string; offer_id: string }>(
          // Only offers with a per-customer limit count uses: nothing else reads them, and a limit cannot be added
          // to an offer that has none (updateOffer), so a sale writes no row for the others.
          `WITH n AS (
         SELECT u.customer_id, u.offer_id, count(*)::int AS n, min(o.per_customer_limit) AS lim
         FROM unnest($1::text[], $2::text[]) AS u(customer_id, offer_id) JOIN offers.offers o ON o.id = u.offer_id
         WHERE o.per_customer_limit IS NOT NULL GROUP BY u.customer_id, u.offer_id),
       ins AS (
         INSERT INTO offers.customer_uses (customer_id, offer_id, uses) SELECT customer_id, offer_id, n FROM n
         ON CONFLICT (customer_id, offer_id) DO UPDATE SET uses = offers.customer_uses.uses + EXCLUDED.uses
         RETURNING customer_id, offer_id, uses)
       SELECT ins.customer_id, ins.offer_id FROM ins JOIN n USING (customer_id, offer_id)
       WHERE ${opts.ahead ? `NOT platform.ensure(ins.uses <= n.lim, 'offers: ' || ins.customer_id || ' reached the limit of ' || ins.offer_id)` : 'ins.uses > n.lim'}`,
          [uses.map((u) => u.customerId), uses.map((u) => u.offerId)],
        );
  const [budgeted, overRows] = await Promise.all([budgetedP, overP]);
  const ranOut = new Set(budgeted.filter((b) => !b.ok).map((b) => b.offer_id));
  const over = new Set(overRows.map((r) => `${r.customer_id}\u0000${r.offer_id}`));
  return receipts.map((r) => ({
    exhausted: [
      ...new Set(
        r.applied
          .filter((a) => ranOut.has(a.offerId) || (r.customerId !== null && over.has(`${r.customerId}\u0000${a.offerId}`)))
          .map((a) => a.offerId),
      ),
    ].sort(),
  }));
}

/**
 * Gives back what a return reverses: budget spent (uses stay counted: the offer was used). Only to budgets that the
 * sale claimed: a budget added to an offer after the sale (`since`, updateOffer) never counted its discount.
 */
export async function releaseBudgets(
  s: Session,
  released: readonly { offerId: string; discountMinor: number }[],
  saleCommittedAt: Date,
): Promise<void> {
  if (released.length === 0) return;
  await s.query(
    `UPDATE offers.budgets b SET spent_minor = greatest(0, b.spent_minor - a.amount)
     FROM (SELECT * FROM unnest($1::text[], $2::int8[]) AS a(offer_id, amount)) a WHERE b.offer_id = a.offer_id AND b.since <= $3`,
    [released.map((r) => r.offerId), released.map((r) => r.discountMinor), saleCommittedAt],
  );
}
