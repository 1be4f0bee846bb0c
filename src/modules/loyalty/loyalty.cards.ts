import * as customers from '../customers/index.ts';
import type { Database, Queryable, Session } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './loyalty.repository.ts';
import { LOTS_WITH_MOVES } from './ledger.repository.ts';

type Identity = { kind: customers.IdentityKind; value: string };

// Loyalty cards (issue, block, replace: the balance follows the customer) and households that pool their points.

function cardDto(c: repo.CardRow) {
  return {
    number: c.number,
    customerId: c.customerId,
    status: c.status,
    replacedBy: c.replacedBy,
    issuedAt: new Date(c.issuedAt).toISOString(),
  };
}

/** The card, or LOYALTY_CARD_NOT_FOUND. */
export async function getCard(q: Queryable, number: string) {
  const c = await repo.findCard(q, number);
  if (!c) throw new AppError('LOYALTY_CARD_NOT_FOUND', `No card ${number}.`);
  return cardDto(c);
}

/**
 * Issues a card: registers its number, and binds it to the customer given (registering a new customer for an unknown
 * identity) or, with none, to a new customer known by the card alone.
 */
export async function issueCard(database: Database, number: string, customer?: Identity) {
  return database.transaction(async (s) => {
    if (await repo.findCard(s, number))
      throw new AppError('LOYALTY_CARD_TAKEN', `Card ${number} is issued already.`, {
        fields: [{ field: 'number', message: 'issued already' }],
      });
    const owner = customer
      ? await customers.findOrCreateByIdentity(s, customer)
      : await customers.findOrCreateByIdentity(s, { kind: 'card', value: number });
    if (customer) await customers.attachIdentity(s, owner.id, { kind: 'card', value: number });
    const card = await repo.insertCard(s, number, owner.id);
    if (!card)
      throw new AppError('LOYALTY_CARD_TAKEN', `Card ${number} is issued already.`, {
        fields: [{ field: 'number', message: 'issued already' }],
      });
    return cardDto(card);
  });
}

/**
 * Issues many cards at once, in the caller's transaction, as issueCard would one by one: each bound to the customer
 * the retailer knows by `external` (registered if unknown), or with none to the customer known by the card's number
 * (a new one if nobody). A fixed number of statements whatever their number. The numbers must be new and valid, and
 * their card identities not another customer's (the caller checks, as import-balances does); otherwise
 * LOYALTY_CARD_TAKEN or CUSTOMERS_IDENTITY_TAKEN, and the caller's transaction is to be rolled back.
 */
export async function issueCardsInTx(s: Session, items: readonly { number: string; external: string | null }[]): Promise<number> {
  const cardId = (number: string) => {
    const n = customers.normalizeIdentity('card', number);
    if ('error' in n)
      throw new AppError('VALIDATION_FAILED', `card ${number} ${n.error}`, { fields: [{ field: 'card', message: n.error }] });
    return n.value;
  };
  const owners = new Map<string, string>();
  const bound = items.filter((i) => i.external !== null);
  if (bound.length > 0) {
    const { ids } = await customers.resolveIdentities(
      s,
      'external',
      [...new Set(bound.map((i) => i.external!))].map((value) => ({ value })),
    );
    for (const i of bound) owners.set(i.number, ids.get(i.external!)!);
    await customers.attachIdentities(
      s,
      bound.map((i) => ({ customerId: owners.get(i.number)!, kind: 'card' as const, value: cardId(i.number) })),
    );
  }
  const bare = items.filter((i) => i.external === null);
  if (bare.length > 0) {
    const { ids } = await customers.resolveIdentities(
      s,
      'card',
      [...new Set(bare.map((i) => cardId(i.number)))].map((value) => ({ value })),
    );
    for (const i of bare) owners.set(i.number, ids.get(cardId(i.number))!);
  }
  const issued = await repo.insertCards(
    s,
    items.map((i) => ({ number: i.number, customerId: owners.get(i.number)! })),
  );
  if (issued < items.length)
    throw new AppError('LOYALTY_CARD_TAKEN', `${items.length - issued} of ${items.length} cards were issued meanwhile.`);
  return issued;
}

async function activeCard(s: Session, number: string): Promise<repo.CardRow> {
  await s.query(`SELECT number FROM loyalty.cards WHERE number = $1 FOR UPDATE`, [number]);
  const card = await repo.findCard(s, number);
  if (!card) throw new AppError('LOYALTY_CARD_NOT_FOUND', `No card ${number}.`);
  if (card.status !== 'active') throw new AppError('LOYALTY_CARD_INACTIVE', `Card ${number} is ${card.status}.`);
  return card;
}

/** Blocks a card (lost or stolen): the till then treats it as unknown; the customer's points stay. */
export async function blockCard(database: Database, number: string) {
  return database.transaction(async (s) => cardDto(await repo.updateCard(s, (await activeCard(s, number)).number, { status: 'blocked' })));
}

/**
 * Replaces a card by a new number bound to the same customer; the balance follows, since it is the customer's. The
 * old card is marked replaced (a blocked card may be replaced too).
 */
export async function replaceCard(database: Database, number: string, newNumber: string) {
  return database.transaction(async (s) => {
    await s.query(`SELECT number FROM loyalty.cards WHERE number = $1 FOR UPDATE`, [number]);
    const old = await repo.findCard(s, number);
    if (!old) throw new AppError('LOYALTY_CARD_NOT_FOUND', `No card ${number}.`);
    if (old.status === 'replaced') throw new AppError('LOYALTY_CARD_INACTIVE', `Card ${number} was replaced by ${old.replacedBy}.`);
    if (!old.customerId) throw new AppError('LOYALTY_CARD_INACTIVE', `Card ${number} is bound to no customer.`);
    const fresh = await repo.insertCard(s, newNumber, old.customerId);
    if (!fresh)
      throw new AppError('LOYALTY_CARD_TAKEN', `Card ${newNumber} is issued already.`, {
        fields: [{ field: 'newNumber', message: 'issued already' }],
      });
    await customers.attachIdentity(s, old.customerId, { kind: 'card', value: newNumber });
    await repo.updateCard(s, number, { status: 'replaced', replacedBy: newNumber });
    return cardDto(fresh);
  });
}

export async function cardsOf(q: Queryable, customerId: string) {
  return (await repo.cardsOf(q, customerId)).map(cardDto);
}

/**
 * Adds a member to the owner's household: from now on the member earns into, and redeems from, the owner's wallet.
 * Points the member holds move there too, lot by lot, keeping their dates.
 */
export async function joinHousehold(
  database: Database,
  ownerId: string,
  memberId: string,
): Promise<{ owner: string; members: string[]; moved: number }> {
  if (ownerId === memberId)
    throw new AppError('VALIDATION_FAILED', 'member: the owner cannot be their own member.', {
      fields: [{ field: 'member', message: 'same as owner' }],
    });
  return database.transaction(async (s) => {
    const owner = (await repo.householdOf(s, ownerId)).owner;
    const before = await repo.householdOf(s, memberId);
    if (before.members.length > 0 && before.owner === memberId)
      throw new AppError('VALIDATION_FAILED', 'member: this customer owns a household; move its members first.', {
        fields: [{ field: 'member', message: 'owns a household' }],
      });
    // Lock both wallets in key order, so two joins cannot deadlock.
    for (const c of [owner, before.owner].sort())
      await s.query(`INSERT INTO loyalty.balances (customer_id) VALUES ($1) ON CONFLICT (customer_id) DO UPDATE SET updated_at = now()`, [
        c,
      ]);
    const moved = before.owner === owner ? 0 : await moveLots(s, before.owner, owner);
    await repo.joinHousehold(s, memberId, owner);
    return { ...(await repo.householdOf(s, owner)), moved };
  });
}

/** Moves every lot's remaining points from one wallet to another: new lots with the same dates, one transfer each. */
async function moveLots(s: Session, from: string, to: string): Promise<number> {
  const lots = await s.query<{ id: string; active: boolean; rem: number; earned_at: Date; activates_at: Date; expires_at: Date }>(
    `SELECT l.id, m.active, l.points - m.used AS rem, l.earned_at, l.activates_at, l.expires_at
     FROM ${LOTS_WITH_MOVES} WHERE l.customer_id = $1 AND l.points > m.used ORDER BY l.id`,
    [from],
  );
  let moved = 0;
  for (const l of lots) {
    const lotId = newId('lot');
    const out = newId('transfer');
    const acct = l.active ? 'active' : 'pending';
    await s.query(
      `WITH a AS (INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, lot_id)
                  VALUES ($1, $3, $5::text || ':' || $1, $5::text || ':' || $2, $4::int, 'pool-out', 'pool:' || $6, $6)),
            b AS (INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, lot_id)
                  VALUES ($2, $7, $5::text || ':' || $1, $5::text || ':' || $2, $4::int, 'pool-in', 'pool:' || $6, $8)),
            m1 AS (INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points) VALUES ($1, $6, $3, 'pool-out', $4::int)),
            lot AS (INSERT INTO loyalty.lots (customer_id, id, points, earned_at, activates_at, expires_at, cause) VALUES ($2, $8, $4::int, $9::timestamptz, $10::timestamptz, $11::timestamptz, 'pool:' || $6)),
            m2 AS (INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points) SELECT $2, $8, $7, 'activate', 0 WHERE $12::boolean)
       UPDATE loyalty.balances SET active = active + CASE WHEN customer_id = $2 THEN 1 ELSE -1 END * CASE WHEN $12::boolean THEN $4::int ELSE 0 END,
                                   pending = pending + CASE WHEN customer_id = $2 THEN 1 ELSE -1 END * CASE WHEN $12::boolean THEN 0 ELSE $4::int END, updated_at = now()
       WHERE customer_id IN ($1, $2)`,
      [from, to, out, l.rem, acct, l.id, newId('transfer'), lotId, l.earned_at, l.activates_at, l.expires_at, l.active],
    );
    moved += l.rem;
  }
  return moved;
}

export async function householdOf(q: Queryable, customerId: string) {
  return repo.householdOf(q, customerId);
}
