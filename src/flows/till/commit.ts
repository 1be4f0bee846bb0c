import * as catalog from '../../modules/catalog/index.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import * as offers from '../../modules/offers/index.ts';
import * as sales from '../../modules/sales/index.ts';
import type { Database, Session } from '../../platform/db/client.ts';
import { AppError, pgCode } from '../../platform/errors.ts';
import { decimalToMinor } from '../../platform/money.ts';
import { loadReference, price, type Priced, type Reference } from './price.ts';
import type { CommitBody, CommitResponse, QuoteBody, QuoteResponse } from './till.contract.ts';

/** A quote: reads only, a fixed number of statements whatever the basket. */
export async function quote(database: Database, body: QuoteBody): Promise<QuoteResponse> {
  return (await price(await loadReference(database), database, body, { at: body.at ? new Date(body.at) : new Date(), strict: false }))
    .response;
}

/** What the commit keeps of its pricing, to answer a retry and to reverse a return line by line. */
export type StoredSale = {
  response: CommitResponse;
  walletOwner: string | null;
  redemptionTransferId: string | null;
  lines: Priced['lines'];
  partner: string | null;
  pointValueMinor: number;
};

/** Stores this process has seen committed, so that a commit does not upsert its store each time. */
const knownStores = new WeakMap<Database, Set<string>>();

class OffersRanOut extends Error {
  constructor(readonly offerIds: string[]) {
    super(`offers ran out: ${offerIds.join(', ')}`);
  }
}

/**
 * Commits a sale at the till, exactly once per store and receipt number: a retry (also one racing the first) gets
 * the first answer with `replayed: true`. In one transaction: the receipt (sales), budgets and uses of the offers
 * applied, the redemption (never overdrawn: the wallet's balance row is claimed with a conditional update), the
 * certificates, the points earned in a new lot, the ladder observation, and the tier. An offer whose budget or limit
 * ran out between quote and commit is left out and the basket re-priced.
 */
export async function commitSale(database: Database, body: CommitBody): Promise<CommitResponse> {
  const at = body.occurredAt ? new Date(body.occurredAt) : body.at ? new Date(body.at) : new Date();
  let exclude: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      const reference = await loadReference(database);
      const out = await database.transaction((s) => commitOnce(database, reference, s, body, at, exclude));
      // Only a committed store is known to exist.
      if (!knownStores.has(database)) knownStores.set(database, new Set());
      knownStores.get(database)!.add(body.store);
      return out;
    } catch (e) {
      if (e instanceof OffersRanOut && attempt < 4) {
        exclude = [...new Set([...exclude, ...e.offerIds])];
        continue;
      }
      const code = pgCode(e);
      // Two first receipts of one new wallet race on its balance row, or a serialization failure: retry as is.
      if ((code === '23505' || code === '40001' || code === '40P01') && attempt < 4) continue;
      throw e;
    }
  }
}

async function commitOnce(
  database: Database,
  reference: Reference,
  s: Session,
  body: CommitBody,
  at: Date,
  exclude: string[],
): Promise<CommitResponse> {
  // A replay is answered from what the first commit stored (it may have been priced under other state).
  const stored = await loyalty.findTillReceipt(s, body.store, body.number);
  if (stored) return replay(stored, body);
  const priced = await price(
    reference,
    s,
    { ...body, at: at.toISOString() },
    { at, ladderStep: body.ladderStep, exclude, strict: true, inTransaction: true },
  );
  const cur = priced.program.config.currency;
  const stores = knownStores.get(database) ?? new Set<string>();
  if (!stores.has(body.store)) await catalog.insertStoreIfMissing(s, { code: body.store, name: body.store, currency: cur });
  const customerId = priced.customer.id;
  const stored2 = await sales.storeReceipts(s, [
    {
      storeCode: body.store,
      number: body.number,
      customerId: customerId ?? anonymousId(body.store),
      kind: 'sale',
      occurredAt: at,
      currency: cur,
      lines: priced.lines.map((l) => ({
        sku: l.sku,
        quantity: l.quantityText,
        unitPriceMinor: l.unitPriceMinor,
        amountMinor: l.totalMinor,
      })),
      originalReceiptId: null,
      source: 'till',
    },
  ]);
  if (stored2.conflicts.length > 0 || stored2.skipped.length > 0) {
    // A retry that raced the first commit waited on the receipt's key until that commit ended: answer as it did.
    // (The content may differ in the time of sale, when the till let it default to now.)
    const again = await loyalty.findTillReceipt(s, body.store, body.number);
    if (again) return replay(again, body);
    throw new AppError(
      'SALES_RECEIPT_CONFLICT',
      `Receipt ${body.number} of store ${body.store} is already stored (outside the till, or with different content).`,
      {
        fields: [{ field: 'number', message: 'already used' }],
      },
    );
  }
  const receiptId = stored2.created[0]!.receiptId;

  const owner = priced.wallet?.owner ?? null;
  let redemptionTransferId: string | null = null;
  let balanceAfter = priced.wallet ? { active: priced.wallet.active, pending: priced.wallet.pending } : null;
  if (priced.redeemPoints > 0 && owner && customerId) {
    const r = await loyalty.redeem(s, {
      owner,
      actor: customerId,
      points: priced.redeemPoints,
      cause: `receipt:${receiptId}:redeem`,
      receiptId,
      partnerCode: priced.partner?.code ?? null,
    });
    redemptionTransferId = r.transferId;
    balanceAfter = { active: r.activeAfter, pending: balanceAfter?.pending ?? 0 };
  }
  if (priced.certificateUse.length > 0)
    await loyalty.addCertificateMoves(
      s,
      priced.certificateUse.map((c) => ({ code: c.code, cause: `receipt:${receiptId}`, amountMinor: -c.amountMinor, receiptId })),
    );
  if (priced.earnPoints > 0 && owner && customerId) {
    const cfg = priced.program.config.lifecycle;
    ({ balance: balanceAfter } = await loyalty.earn(s, {
      owner,
      actor: customerId,
      points: priced.earnPoints,
      cause: `receipt:${receiptId}:earn`,
      receiptId,
      partnerCode: priced.partner?.code ?? null,
      at,
      pendingDays: cfg.pendingDays,
      expiryMonths: cfg.expiryMonths,
    }));
  }
  if (customerId && priced.ladderObservations.length > 0) await loyalty.addLadderCounts(s, customerId, priced.ladderObservations);
  if (customerId)
    await loyalty.upgradeTierAfterReceipt(
      s,
      priced.program,
      customerId,
      at,
      priced.lines.reduce((a, l) => a + l.totalMinor, 0),
    );
  const response: CommitResponse = { ...priced.response, replayed: false, receiptId, store: body.store, number: body.number, balanceAfter };
  const keep: StoredSale = {
    response,
    walletOwner: owner,
    redemptionTransferId,
    lines: priced.lines,
    partner: priced.partner?.code ?? null,
    pointValueMinor: priced.program.pointValueMinor,
  };
  await loyalty.insertTillReceipt(s, {
    customerId: customerId ?? anonymousId(body.store),
    receiptId,
    storeCode: body.store,
    number: body.number,
    kind: 'sale',
    originalReceiptId: null,
    programVersion: priced.program.version,
    result: keep,
    pointsEarned: priced.earnPoints,
    pointsRedeemed: priced.redeemPoints,
    discountMinor: decimalToMinor(response.totals.discount, cur)!,
    ladderStep: priced.ladderStep,
    occurredAt: at,
  });
  // Budgets last: a budget is one row that every commit using the offer updates, and its lock is held until COMMIT,
  // so taking it at the end keeps commits of a popular offer from queueing behind each other's whole transaction.
  const { exhausted } = await offers.claimOffers(s, customerId, priced.applied);
  if (exhausted.length > 0) throw new OffersRanOut(exhausted);
  return response;
}

function anonymousId(store: string): string {
  return `anon:${store}`;
}

/** The first answer again, if the retry carries the same basket; a different basket under the number is a conflict. */
function replay(stored: loyalty.TillReceiptRow, body: CommitBody): CommitResponse {
  if (stored.kind !== 'sale')
    throw new AppError('SALES_RECEIPT_CONFLICT', `Number ${body.number} of store ${body.store} is a return.`, {
      fields: [{ field: 'number', message: 'used by a return' }],
    });
  const keep = stored.result as StoredSale;
  const same =
    keep.lines.length === body.lines.length &&
    keep.lines.every((l, i) => l.sku === body.lines[i]!.sku && Number(l.quantityText) === Number(body.lines[i]!.quantity));
  if (!same)
    throw new AppError(
      'SALES_RECEIPT_CONFLICT',
      `Receipt ${body.number} of store ${body.store} is already stored with a different basket.`,
      {
        fields: [{ field: 'number', message: 'already used for a different receipt' }],
      },
    );
  return { ...keep.response, replayed: true };
}
