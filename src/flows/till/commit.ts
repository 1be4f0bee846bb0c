import * as catalog from '../../modules/catalog/index.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import * as offers from '../../modules/offers/index.ts';
import * as sales from '../../modules/sales/index.ts';
import type { Database, Session } from '../../platform/db/client.ts';
import { AppError, pgCode } from '../../platform/errors.ts';
import { decimalToMinor } from '../../platform/money.ts';
import { groupRunner } from '../../platform/group.ts';
import { newId } from '../../platform/ids.ts';
import { gather, loadReference, type Inputs } from './gather.ts';
import { lineDto, priceWith, type Priced } from './price.ts';
import type { CommitBody, CommitResponse, PricedResponse, QuoteBody } from './till.contract.ts';

const quoteRunners = new WeakMap<Database, (body: QuoteBody) => Promise<PricedResponse>>();

/**
 * A quote: reads only. Quotes arriving together are priced together, so that a group's reads are a fixed number of
 * statements whatever the number of quotes and the size of their baskets.
 */
export function quote(database: Database, body: QuoteBody): Promise<PricedResponse> {
  let run = quoteRunners.get(database);
  if (!run) {
    run = groupRunner<QuoteBody, PricedResponse>((bodies) => quoteGroup(database, bodies), { maxInFlight: IN_FLIGHT[database.kind] });
    quoteRunners.set(database, run);
  }
  return run(body);
}

async function quoteGroup(database: Database, bodies: readonly QuoteBody[]): Promise<(PricedResponse | Error)[]> {
  const reference = await loadReference(database);
  const items = bodies.map((body) => ({ body, at: body.at ? new Date(body.at) : new Date() }));
  const inputs = await database.batch((q) => gather(reference, q, items, { freshBudgets: false, scope: database }));
  return items.map((it, i) => settle(() => priceWith(reference, it.body, inputs[i]!, { at: it.at, strict: false }).response));
}

/**
 * What the commit keeps of its pricing, to answer a retry and to reverse a return line by line. The answer's lines
 * are rendered from `lines` (lineDto) rather than stored twice: the stored text is what PostgreSQL compresses on
 * every sale. Rows stored before keep theirs in `response.lines`.
 */
export type StoredSale = {
  response: Omit<CommitResponse, 'lines'> & { lines?: CommitResponse['lines'] };
  walletOwner: string | null;
  redemptionTransferId: string | null;
  lines: Priced['lines'];
  partner: string | null;
  pointValueMinor: number;
};

/** Stores this process has seen committed, so that a commit does not upsert its store each time. */
const knownStores = new WeakMap<Database, Set<string>>();

/** A sale on its way through a group commit: `at` when it happens, `priceAt` when it is priced (see priceTime). */
type Work = { index: number; body: CommitBody; at: Date; priceAt: Date; exclude: string[]; attempts: number; solo: boolean };
type Ready = Work & { priced: Priced };

/** Why a group's transaction was rolled back: per sale, the error to give if it fails alone, and offers to leave out. */
class GroupFailed extends Error {
  constructor(readonly why: Map<number, { error?: AppError; exclude?: string[] }>) {
    super('the group commit was rolled back');
  }
}

/**
 * Groups in flight at once. PGlite is one connection. On PostgreSQL, 2 measured best in bench/till (1, 2, 4 and 8
 * tried): fewer, larger groups cost less per sale, and two keep the database busy while the server prices the next.
 */
const IN_FLIGHT = { pglite: 1, postgres: 2 } as const;
/** The most sales in one transaction: bigger groups are committed in turn. */
const MAX_GROUP = 64;
/** Attempts of a sale committed alone before its error is given. */
const MAX_ATTEMPTS = 4;

const runners = new WeakMap<Database, (body: CommitBody) => Promise<CommitResponse>>();

/**
 * Commits a sale at the till, exactly once per store and receipt number: a retry (also one racing the first) gets
 * the first answer with `replayed: true`. Sales arriving together are committed together (commitGroup).
 */
export function commitSale(database: Database, body: CommitBody): Promise<CommitResponse> {
  let run = runners.get(database);
  if (!run) {
    run = groupRunner<CommitBody, CommitResponse>((bodies) => commitGroup(database, bodies), { maxInFlight: IN_FLIGHT[database.kind] });
    runners.set(database, run);
  }
  return run(body);
}

/**
 * Commits sales as a group: the reads for all of them (a fixed number of statements), pricing, then one transaction
 * with a fixed number of statements whatever the group's size. In it: the receipts (sales), the certificates, the
 * redemptions (never overdrawn: each wallet's balance row is claimed), the points earned in new lots, the ladder
 * observations, the tiers, what the till answered, and last the offers' budgets and uses, then COMMIT, all sent
 * before any answer is read (writeGroup). A group holds each wallet, receipt number and certificate once; the others
 * wait for the next round. When anything in the transaction goes wrong (a receipt number committed meanwhile, a
 * balance or certificate spent meanwhile, a budget that ran out, a deadlock), it rolls back and its sales are
 * committed one by one in the careful way, each re-read and re-priced: an offer that ran out is left out, and a sale
 * that still fails gets its own error. Answers are in order.
 */
export async function commitGroup(database: Database, bodies: readonly CommitBody[]): Promise<(CommitResponse | Error)[]> {
  const out: (CommitResponse | Error | undefined)[] = bodies.map(() => undefined);
  let work: Work[] = bodies.map((body, index) => ({
    index,
    body,
    at: saleTime(body),
    priceAt: priceTime(body),
    exclude: [],
    attempts: 0,
    solo: false,
  }));
  while (work.length > 0) {
    const answered = (w: Work) => out[w.index] !== undefined;
    // A round: one sale that must go alone, or up to MAX_GROUP sales with distinct receipt numbers.
    const solo = work.find((w) => w.solo);
    const keys = new Set<string>();
    const candidates = solo
      ? [solo]
      : work.filter((w) => {
          const key = `${w.body.store}\u0000${w.body.number}`;
          if (keys.has(key) || keys.size >= MAX_GROUP) return false;
          keys.add(key);
          return true;
        });
    try {
      const reference = await loadReference(database);
      // What the till stored under these numbers is read with the rest, not before it: a retry is rare, and its reads
      // are then wasted, where a round trip of its own would cost every group.
      const [stored, gathered] = await database.batch((q) =>
        Promise.all([
          loyalty.findTillReceipts(
            q,
            candidates.map((w) => ({ store: w.body.store, number: w.body.number })),
          ),
          gather(
            reference,
            q,
            candidates.map((w) => ({ body: w.body, at: w.priceAt })),
            { freshBudgets: true, scope: database },
          ),
        ]),
      );
      const fresh: Work[] = [];
      const inputs: Inputs[] = [];
      candidates.forEach((w, i) => {
        const st = stored[i];
        if (st) out[w.index] = settle(() => replay(st, w.body));
        else {
          fresh.push(w);
          inputs.push(gathered[i]!);
        }
      });
      const ready: Ready[] = [];
      fresh.forEach((w, i) => {
        const priced = settle(() =>
          priceWith(reference, w.body, inputs[i]!, {
            at: w.priceAt,
            paidAt: w.at,
            ladderStep: w.body.ladderStep,
            exclude: w.exclude,
            strict: true,
          }),
        );
        if (priced instanceof Error) out[w.index] = priced;
        // The Work itself, not a copy: what failGroup marks on it (alone, attempts, offers left out) must last.
        else ready.push(Object.assign(w, { priced }));
      });
      // Each wallet and certificate once per transaction; the rest wait for the next round, re-read.
      const owners = new Set<string>();
      const codes = new Set<string>();
      const group = ready.filter((r) => {
        const owner = r.priced.wallet?.owner ?? r.priced.customer.id;
        const certs = r.priced.certificateUse.map((c) => c.code);
        if ((owner && owners.has(owner)) || certs.some((c) => codes.has(c))) return false;
        if (owner) owners.add(owner);
        for (const c of certs) codes.add(c);
        return true;
      });
      if (group.length > 0) {
        // A group's first try commits ahead; a sale alone after its group failed goes the careful way.
        const ahead = !group[0]!.solo;
        try {
          const answers = await database.transaction((s) => writeGroup(database, s, group, ahead), { pipeline: true });
          group.forEach((r, i) => (out[r.index] = answers[i]!));
          if (!knownStores.has(database)) knownStores.set(database, new Set());
          for (const r of group) knownStores.get(database)!.add(r.body.store);
        } catch (e) {
          failGroup(group, ahead, e, out);
        }
      }
    } catch (e) {
      // A read failed: whatever it was, it is every candidate's answer.
      for (const w of candidates) if (!answered(w)) out[w.index] = e instanceof Error ? e : new Error(String(e));
    }
    work = work.filter((w) => !answered(w));
  }
  return out as (CommitResponse | Error)[];
}

/**
 * After a rollback: a group's sales go again one by one in the careful way, whatever went wrong (a race, or one
 * sale's own error: a transaction committed ahead does not say whose). A sale that failed alone retries after a race,
 * re-read and re-priced, and otherwise (or after MAX_ATTEMPTS) gets its error.
 */
function failGroup(group: Ready[], ahead: boolean, e: unknown, out: (CommitResponse | Error | undefined)[]): void {
  if (ahead) {
    for (const r of group) r.solo = true;
    return;
  }
  const r = group[0]!;
  const code = pgCode(e);
  const race = e instanceof GroupFailed || code === '23505' || code === '40001' || code === '40P01';
  const why = e instanceof GroupFailed ? e.why.get(r.index) : undefined;
  if (why?.exclude) r.exclude = [...new Set([...r.exclude, ...why.exclude])];
  r.attempts++;
  if (!race || r.attempts >= MAX_ATTEMPTS) out[r.index] = why?.error ?? (e instanceof Error ? e : new Error(String(e)));
}

/**
 * A group's writes, pipelined: the receipt and transfer ids are chosen here, so that every statement can be sent
 * before any answer is back, and the server runs them back to back (certificates, when a sale uses any, are locked
 * and checked in a round trip before the rest; a tier upgrade is decided by the statement that adds the spend).
 *
 * `ahead` (a group's first try): COMMIT is sent behind the statements (Session.commitAhead), so the transaction is
 * one round trip and the offers' budget rows, which every sale of an offer updates, are locked only while the
 * server runs it. Each statement then fails by itself when its claim falls short (a receipt number taken: 23505; a
 * balance overdrawn: 23514; lots, a budget or a per-customer limit short: PT001), and the transaction rolls back.
 * Otherwise (a sale alone, after its group failed), what the answers say is checked before COMMIT, and anything
 * wrong throws with its cause: the error to give, or the offers to leave out. The transaction is rolled back whole:
 * a redemption refused has had its lots taken all the same (redeemMany's `together`).
 */
async function writeGroup(database: Database, s: Session, group: Ready[], ahead: boolean): Promise<CommitResponse[]> {
  const program = group[0]!.priced.program;
  const cur = program.config.currency;
  const why = new Map<number, { error?: AppError; exclude?: string[] }>();
  const known = knownStores.get(database) ?? new Set<string>();
  const newStores = [...new Set(group.map((r) => r.body.store))]
    .filter((store) => !known.has(store))
    .map((store) => catalog.insertStoreIfMissing(s, { code: store, name: store, currency: cur }));
  const receiptIds = new Map(group.map((r) => [r.index, newId('receipt', r.at.getTime())]));
  const receiptOf = (r: Ready) => receiptIds.get(r.index)!;

  // Certificates, when a sale uses any: locked, and checked against what pricing read, before the rest is sent.
  const uses = group.flatMap((r) => r.priced.certificateUse.map((c) => ({ r, ...c })));
  if (uses.length > 0) {
    const now = new Map((await loyalty.findCertificates(s, [...new Set(uses.map((u) => u.code))], true)).map((c) => [c.code, c]));
    for (const u of uses) {
      const c = now.get(u.code);
      if (!c || Number(c.remainingMinor) < u.amountMinor || new Date(c.expiresAt) <= u.r.at)
        why.set(u.r.index, {
          error: new AppError('LOYALTY_CERTIFICATE_INVALID', `certificates: ${u.code} was used meanwhile.`, {
            fields: [{ field: 'certificates', message: `${u.code} has less left` }],
          }),
        });
    }
    if (why.size > 0) throw new GroupFailed(why);
    await loyalty.addCertificateMoves(
      s,
      uses.map((u) => ({ code: u.code, cause: `receipt:${receiptOf(u.r)}`, amountMinor: -u.amountMinor, receiptId: receiptOf(u.r) })),
    );
  }

  // Sent in this order, without waiting: the receipts, the redemptions (each wallet's balance row claimed), the
  // points earned, the ladder and tier counts, what the till answered (with each wallet's balance after the writes
  // above), and last the offers' budgets and uses (see claimOffersMany).
  const stored = sales.storeReceipts(
    s,
    group.map((r) => ({
      id: receiptOf(r),
      storeCode: r.body.store,
      number: r.body.number,
      customerId: r.priced.customer.id ?? anonymousId(r.body.store),
      kind: 'sale' as const,
      occurredAt: r.at,
      currency: cur,
      lines: r.priced.lines.map((l) => ({
        sku: l.sku,
        quantity: l.quantityText,
        unitPriceMinor: l.unitPriceMinor,
        amountMinor: l.totalMinor,
      })),
      originalReceiptId: null,
      source: 'till' as const,
    })),
    { ahead },
  );
  const redeeming = group.filter((r) => r.priced.redeemPoints > 0 && r.priced.wallet && r.priced.customer.id);
  const transferIds = new Map(redeeming.map((r) => [r.index, newId('transfer')]));
  const redeemed = loyalty.redeemMany(
    s,
    redeeming.map((r) => ({
      owner: r.priced.wallet!.owner,
      actor: r.priced.customer.id!,
      points: r.priced.redeemPoints,
      cause: `receipt:${receiptOf(r)}:redeem`,
      receiptId: receiptOf(r),
      partnerCode: r.priced.partner?.code ?? null,
      transferId: transferIds.get(r.index)!,
    })),
    { together: true, ahead },
  );
  const earning = group.filter((r) => r.priced.earnPoints > 0 && r.priced.wallet && r.priced.customer.id);
  const life = program.config.lifecycle;
  const earned = loyalty.earnMany(
    s,
    earning.map((r) => ({
      owner: r.priced.wallet!.owner,
      actor: r.priced.customer.id!,
      points: r.priced.earnPoints,
      cause: `receipt:${receiptOf(r)}:earn`,
      receiptId: receiptOf(r),
      partnerCode: r.priced.partner?.code ?? null,
      at: r.at,
      pendingDays: life.pendingDays,
      expiryMonths: life.expiryMonths,
    })),
  );
  const identified = group.filter((r) => r.priced.customer.id);
  const ladder = loyalty.addLadderCounts(
    s,
    identified.flatMap((r) => r.priced.ladderObservations.map((o) => ({ customerId: r.priced.customer.id!, ...o }))),
  );
  const tiers = loyalty.upgradeTiersAfterReceipts(
    s,
    program,
    identified.map((r) => ({
      customerId: r.priced.customer.id!,
      at: r.at,
      spendMinor: r.priced.lines.reduce((a, l) => a + l.totalMinor, 0),
    })),
  );
  // The answers without the balance after: a replay takes it from the till's row (insertTillReceipts). Pricing's
  // answer is completed in place, and what is stored names its fields: spreads of these objects were 3% of the CPU.
  const answers = group.map((r): CommitResponse =>
    Object.assign(r.priced.response, {
      replayed: false,
      receiptId: receiptOf(r),
      store: r.body.store,
      number: r.body.number,
      balanceAfter: null,
    }),
  );
  const till = loyalty.insertTillReceipts(
    s,
    group.map((r, i) => {
      const keep: StoredSale = {
        response: withoutLines(answers[i]!),
        walletOwner: r.priced.wallet?.owner ?? null,
        redemptionTransferId: transferIds.get(r.index) ?? null,
        lines: r.priced.lines,
        partner: r.priced.partner?.code ?? null,
        pointValueMinor: program.pointValueMinor,
      };
      return {
        customerId: r.priced.customer.id ?? anonymousId(r.body.store),
        receiptId: receiptOf(r),
        storeCode: r.body.store,
        number: r.body.number,
        kind: 'sale' as const,
        originalReceiptId: null,
        programVersion: program.version,
        result: keep,
        pointsEarned: r.priced.earnPoints,
        pointsRedeemed: r.priced.redeemPoints,
        discountMinor: decimalToMinor(answers[i]!.totals.discount, cur)!,
        ladderStep: r.priced.ladderStep,
        occurredAt: r.at,
        walletOwner: r.priced.wallet?.owner ?? null,
      };
    }),
  );
  // Budgets last: a budget is one row that every commit using the offer updates, and its lock is held until COMMIT.
  const claims = offers.claimOffersMany(
    s,
    group.map((r) => ({ customerId: r.priced.customer.id, applied: r.priced.applied })),
    { ahead },
  );
  if (ahead) s.commitAhead();
  const [receipts, redemptions, , , , balances, claimed] = await Promise.all([
    stored,
    redeemed,
    earned,
    ladder,
    tiers,
    till,
    claims,
    ...newStores,
  ]);

  // Careful only (ahead, the statements have failed instead). A number taken meanwhile: the sale will answer as that
  // receipt did, or as a conflict, when it goes again.
  if (receipts.conflicts.length > 0 || receipts.skipped.length > 0) throw new GroupFailed(why);
  redeeming.forEach((r, i) => {
    if (!redemptions[i]!.ok)
      why.set(r.index, {
        error: new AppError('LOYALTY_INSUFFICIENT_POINTS', `redeemPoints: ${r.priced.redeemPoints} points asked, fewer available now.`, {
          fields: [{ field: 'redeemPoints', message: 'more than the balance now' }],
        }),
      });
  });
  if (why.size > 0) throw new GroupFailed(why);
  claimed.forEach((c, i) => {
    if (c.exhausted.length > 0) why.set(group[i]!.index, { exclude: c.exhausted });
  });
  if (why.size > 0) throw new GroupFailed(why);
  answers.forEach((a, i) => (a.balanceAfter = balances[i]!.balanceAfter));
  return answers;
}

/** What is stored of an answer: all but its lines, which are rendered from the priced lines on a replay (lineDto). */
function withoutLines(a: CommitResponse): StoredSale['response'] {
  return {
    programVersion: a.programVersion,
    currency: a.currency,
    customer: a.customer,
    applicable: a.applicable,
    applied: a.applied,
    totals: a.totals,
    ladder: a.ladder,
    points: a.points,
    certificates: a.certificates,
    partner: a.partner,
    replayed: a.replayed,
    receiptId: a.receiptId,
    store: a.store,
    number: a.number,
    balanceAfter: a.balanceAfter,
  };
}

/** When the sale happens: its receipt's time, its points' lots, its tier's window. */
function saleTime(body: CommitBody): Date {
  return body.occurredAt ? new Date(body.occurredAt) : body.at ? new Date(body.at) : new Date();
}

/** When the basket is priced: `at` (a commit by a quote: the quote's time), else when the sale happens. */
function priceTime(body: CommitBody): Date {
  return body.at ? new Date(body.at) : saleTime(body);
}

/** The value, or the error it threw. */
function settle<T>(f: () => T): T | Error {
  try {
    return f();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
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
  return {
    ...keep.response,
    lines: keep.response.lines ?? keep.lines.map((l) => lineDto(l, keep.response.currency)),
    balanceAfter: stored.balanceAfter ?? keep.response.balanceAfter,
    replayed: true,
  };
}
