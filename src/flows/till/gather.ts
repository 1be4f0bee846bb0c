import * as customers from '../../modules/customers/index.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import * as offers from '../../modules/offers/index.ts';
import * as segments from '../../modules/segments/index.ts';
import type { Queryable } from '../../platform/db/client.ts';
import type { PricedResponse, QuoteBody } from './till.contract.ts';

// What the till reads to price baskets: the reference data from the per-database caches (the program, partners,
// ladder priors, offers), and per group of baskets, in a fixed number of statements whatever their number and size,
// the cards with their customers and wallets, other identities and birth dates, offers' fresh budgets and customers'
// uses, R×F cells and certificates, each only when something needs it.

/** What the till reads once per few seconds, not per request. Load it outside a transaction (see loadReference). */
export type Reference = { loyalty: loyalty.TillReference; offers: offers.Offer[] };

/** The till's reference data, from the per-database caches. Never inside a transaction: on PGlite it would wait for it. */
export async function loadReference(database: Queryable): Promise<Reference> {
  const [l, o] = await Promise.all([loyalty.tillReference(database), offers.activeOffers(database)]);
  return { loyalty: l, offers: o };
}

export type TillCustomer = {
  id: string | null;
  reason: PricedResponse['customer']['reason'];
  wallet: loyalty.Wallet | null;
};

/** What pricing one basket needs from the database. */
export type Inputs = {
  customer: TillCustomer;
  inForce: offers.Offer[];
  birthDate: string | null;
  cell: { cell: string; rfmSegment: string } | undefined;
  certificates: loyalty.CertificateRow[];
};

/**
 * Card number → the customer it was last seen bound to, per database: a guess that lets the reads keyed by the
 * customer go out in the same round trip as the card lookup. Every guess is checked against the card read in that
 * round, so a card bound elsewhere since, blocked or replaced is never priced on a stale guess; the map only saves a
 * round trip. Bounded: it starts over past CARD_OWNERS_MAX cards.
 */
const cardOwners = new WeakMap<object, Map<string, string>>();
const CARD_OWNERS_MAX = 200_000;

/**
 * Reads what pricing these baskets needs: a fixed number of statements whatever their number, sent together in one
 * round trip when every card was seen before, two or three otherwise. Together: the cards (each with its customer
 * and wallet; blocked and replaced cards make walk-ins), other identities and birth dates (when a birthday offer is
 * in force), certificates, and, for the customer each card was last bound to (cardOwners), the offers' fresh budgets
 * (`freshBudgets`, a commit), the customers' uses and the R×F cells. Then, only where needed: the wallets of
 * customers found by other identities, and the reads by customer again where the guess was wrong. A card number that
 * is none of our cards is looked up as a customer's identity in between.
 */
export async function gather(
  reference: Reference,
  q: Queryable,
  items: readonly { body: QuoteBody; at: Date }[],
  opts: { freshBudgets: boolean; /** What the card-owner guesses live with: the Database, whatever connection `q` is. */ scope: object },
): Promise<Inputs[]> {
  const ref = reference.loyalty;
  const cfg = ref.program?.config;
  const birthdays = items.map((it) => offers.offersAt(reference.offers, it.body.store, it.at).some((o) => o.rule.kind === 'birthday'));
  // Identities that may not be (active) cards of ours, and those whose birth date a birthday offer needs, are looked
  // up among customers' identities at the same time as the cards, not in a round trip of their own.
  const ask = items.flatMap((it, i) => (it.body.customer && (it.body.customer.kind !== 'card' || birthdays[i]) ? [i] : []));
  const askCards = items.flatMap((it, i) => (it.body.customer?.kind === 'card' && !birthdays[i] ? [i] : []));
  // The reads keyed by the customer (offer uses, R×F cell) go out with the card lookup, for the customer each card was
  // last seen bound to; a guess the card lookup contradicts (or a customer found by another identity) is read again.
  let owners = cardOwners.get(opts.scope);
  if (!owners || owners.size > CARD_OWNERS_MAX) cardOwners.set(opts.scope, (owners = new Map()));
  const guess = items.map((it) => (it.body.customer?.kind === 'card' ? (owners!.get(it.body.customer.value) ?? null) : null));
  const byCustomer = (ids: readonly (string | null)[], only: readonly number[]) =>
    Promise.all([
      offers.offersInForceMany(
        reference.offers,
        q,
        only.map((i) => ({ store: items[i]!.body.store, at: items[i]!.at, customerId: ids[i]! })),
        { freshBudgets: opts.freshBudgets },
      ),
      segments.currentCells(
        q,
        only.flatMap((i) => (ids[i] ? [ids[i]!] : [])),
      ),
    ]);
  const everyone = items.map((_, i) => i);
  const [cards, found, certs, [guessedInForce, guessedCells]] = await Promise.all([
    loyalty.tillWalletsByCards(
      q,
      items.flatMap((it) => (it.body.customer?.kind === 'card' ? [it.body.customer.value] : [])),
    ),
    customers.findTillCustomers(
      q,
      ask.map((i) => items[i]!.body.customer!),
    ),
    loyalty.findCertificates(q, [...new Set(items.flatMap((it) => it.body.certificates))]),
    byCustomer(guess, everyone),
  ]);
  const holder = new Map<number, { id: string; birthDate: string | null } | undefined>(ask.map((i, k) => [i, found[k]]));
  // A card number that is not one of our cards may still be a customer's card identity: asked in a second round.
  const late = askCards.filter((i) => !cards.has(items[i]!.body.customer!.value));
  if (late.length > 0)
    (
      await customers.findTillCustomers(
        q,
        late.map((i) => items[i]!.body.customer!),
      )
    ).forEach((f, k) => holder.set(late[k]!, f));
  const resolved: number[] = [];
  const customers_: TillCustomer[] = items.map((it, i) => {
    const identity = it.body.customer;
    if (!identity) return { id: null, reason: 'none', wallet: null };
    const card = identity.kind === 'card' ? cards.get(identity.value) : undefined;
    if (card?.status === 'blocked') return { id: null, reason: 'card-blocked', wallet: null };
    if (card?.status === 'replaced') return { id: null, reason: 'card-replaced', wallet: null };
    if (card?.customerId && card.wallet) {
      owners!.set(identity.value, card.customerId);
      return { id: card.customerId, reason: 'identified', wallet: card.wallet };
    }
    const h = holder.get(i);
    if (!h) return { id: null, reason: 'unknown', wallet: null };
    resolved.push(i);
    return { id: h.id, reason: 'identified', wallet: null };
  });
  // The R×F cell only when a personal offer targets cells or segments, or the ladder has priors to use.
  const ladderPriors = (cfg?.ladder.steps.length ?? 0) > 0 && ref.priors.size > 0;
  const ids = customers_.map((c) => c.id);
  const wrong = everyone.filter((i) => ids[i] !== guess[i]);
  const [wallets, [againInForce, againCells]] = await Promise.all([
    loyalty.tillWallets(
      q,
      resolved.map((i) => ids[i]!),
    ),
    wrong.length > 0 ? byCustomer(ids, wrong) : Promise.resolve([[], new Map()] as const),
  ]);
  const inForce = [...guessedInForce];
  wrong.forEach((i, k) => (inForce[i] = againInForce[k]!));
  const cells = new Map([...guessedCells, ...againCells]);
  for (const i of resolved) customers_[i]!.wallet = wallets.get(customers_[i]!.id!)!;
  return items.map((it, i) => {
    const id = customers_[i]!.id;
    const needsCell =
      id !== null &&
      (ladderPriors ||
        inForce[i]!.some((o) => o.rule.kind === 'personal' && ((o.rule.cells?.length ?? 0) > 0 || (o.rule.rfmSegments?.length ?? 0) > 0)));
    return {
      customer: customers_[i]!,
      inForce: inForce[i]!,
      birthDate: holder.get(i)?.birthDate ?? null,
      cell: needsCell ? cells.get(id) : undefined,
      certificates: certs.filter((c) => it.body.certificates.includes(c.code)),
    };
  });
}
