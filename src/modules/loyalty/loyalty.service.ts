import * as sales from '../sales/index.ts';
import type { Database, Queryable, Session } from '../../platform/db/client.ts';
import { referenceCache } from '../../platform/cache.ts';
import { AppError } from '../../platform/errors.ts';
import { decimalToMinor, isKnownCurrency, minorToDecimal } from '../../platform/money.ts';
import { ProgramConfig, type Balance, type Liability } from './loyalty.contract.ts';
import * as ledger from './ledger.repository.ts';
import * as repo from './loyalty.repository.ts';

// ---------------------------------------------------------------------------------------------------------------
// The program

export type Program = { version: number; config: ProgramConfig; pointValueMinor: number };

/**
 * What the till reads on every request and a person changes rarely: the program in force, the ladder priors of each
 * R×F cell, and the partners by store. Kept per database for a few seconds (platform/cache.ts); a change made in
 * this process clears it at once.
 */
export type TillReference = {
  program: Program | undefined;
  priors: Map<string, Record<string, { successes: number; failures: number }>>;
  partnersByStore: Map<string, repo.PartnerRow>;
};

const REFERENCE_TTL_MS = 5_000;

function toProgram(version: number, raw: unknown): Program {
  const config = ProgramConfig.parse(raw);
  return { version, config, pointValueMinor: decimalToMinor(config.burn.pointValue, config.currency)! };
}

const reference = referenceCache<Queryable, TillReference>(REFERENCE_TTL_MS, async (q) => {
  const [row, priors, partners] = await Promise.all([repo.latestProgram(q), repo.cellPriors(q), repo.listPartners(q)]);
  const byCell = new Map<string, Record<string, { successes: number; failures: number }>>();
  for (const p of priors) {
    const m = byCell.get(p.cell) ?? {};
    m[p.step] = { successes: p.successes, failures: p.failures };
    byCell.set(p.cell, m);
  }
  const partnersByStore = new Map<string, repo.PartnerRow>();
  for (const p of partners) for (const st of p.stores) partnersByStore.set(st, p);
  return { program: row ? toProgram(row.version, row.config) : undefined, priors: byCell, partnersByStore };
});

/** The till's reference data (cached per database for a few seconds). */
/** Forgets the cached reference data, so the next till request reads it (after a change made in this process). */
export function clearTillReference(): void {
  reference.clear();
}

export async function tillReference(q: Queryable): Promise<TillReference> {
  return reference.get(q);
}

/** The program in force, or LOYALTY_NO_PROGRAM. */
export async function getProgram(q: Queryable): Promise<Program> {
  return requireProgram((await reference.get(q)).program);
}

/** The program, or LOYALTY_NO_PROGRAM when none is configured yet. */
export function requireProgram(p: Program | undefined): Program {
  if (!p)
    throw new AppError(
      'LOYALTY_NO_PROGRAM',
      'No loyalty program is configured: PUT /api/v1/loyalty/program or `patron loyalty program set FILE`.',
    );
  return p;
}

/** The program in force with its note and date, for the API; undefined before the first one. */
export async function findProgramVersion(q: Queryable) {
  const row = await repo.latestProgram(q);
  return row ? versionDto(row) : undefined;
}

/**
 * One version of the program, in force or not: a committed receipt names the version that priced it. A version
 * never stored is LOYALTY_PROGRAM_VERSION_NOT_FOUND.
 */
export async function getProgramVersion(q: Queryable, version: number) {
  const row = await repo.programVersion(q, version);
  if (!row)
    throw new AppError('LOYALTY_PROGRAM_VERSION_NOT_FOUND', `version: the program has no version ${version}.`, {
      fields: [{ field: 'version', message: 'no such version' }],
    });
  return versionDto(row);
}

/** The program's history, newest first: each version's note and date, and which one is in force (the newest). */
export async function listProgramVersions(q: Queryable) {
  const rows = await repo.programVersions(q);
  return rows.map((r, i) => ({ version: r.version, note: r.note, createdAt: new Date(r.createdAt).toISOString(), inForce: i === 0 }));
}

function versionDto(row: { version: number; config: unknown; note: string | null; createdAt: Date }) {
  return {
    version: row.version,
    config: ProgramConfig.parse(row.config),
    note: row.note,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** Stores a new version of the program (validated) and puts it in force. */
export async function putProgram(
  q: Queryable,
  raw: unknown,
  note: string | null,
): Promise<{ version: number; config: ProgramConfig; note: string | null; createdAt: string }> {
  const parsed = ProgramConfig.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'config', message: i.message }));
    throw new AppError('VALIDATION_FAILED', `program: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
  }
  if (!isKnownCurrency(parsed.data.currency))
    throw new AppError('VALIDATION_FAILED', `currency: '${parsed.data.currency}' is not an ISO 4217 code.`, {
      fields: [{ field: 'currency', message: 'unknown currency' }],
    });
  const row = await repo.insertProgram(q, parsed.data, note);
  reference.clear();
  return { version: row.version, config: parsed.data, note, createdAt: new Date(row.createdAt).toISOString() };
}

/** The pooled ladder counts of each R×F cell (the sensitivity model's prior), cached with the program. */
export async function cellPriors(q: Queryable): Promise<Map<string, Record<string, { successes: number; failures: number }>>> {
  return (await reference.get(q)).priors;
}

// ---------------------------------------------------------------------------------------------------------------
// Wallets and the ledger

export type Wallet = {
  owner: string;
  active: number;
  pending: number;
  tier: string | null;
  ladder: Record<string, { successes: number; failures: number }>;
};

function toWallet(w: repo.WalletRow): Wallet {
  const ladder: Wallet['ladder'] = {};
  for (const [step, successes, failures] of w.ladder) ladder[step] = { successes, failures };
  return { owner: w.owner, active: w.active, pending: w.pending, tier: w.tier, ladder };
}

/** The till's view of a customer's wallet: pooled owner, balance, tier and ladder counts, in one statement. */
export async function tillWallet(q: Queryable, customerId: string): Promise<Wallet> {
  return (await tillWallets(q, [customerId])).get(customerId)!;
}

/** tillWallet for several customers at once, by customer id: one statement. */
export async function tillWallets(q: Queryable, customerIds: readonly string[]): Promise<Map<string, Wallet>> {
  const rows = await repo.tillWallets(q, customerIds);
  return new Map([...rows].map(([id, w]) => [id, toWallet(w)]));
}

export type CardAtTill = { status: repo.CardRow['status']; customerId: string | null; wallet: Wallet | null };

/**
 * The till's view of loyalty cards by number in one statement: each card's status, its customer and that customer's
 * wallet. A number Patron never issued as a card is absent (it may still be a customer's card identity).
 */
export async function tillWalletsByCards(q: Queryable, numbers: readonly string[]): Promise<Map<string, CardAtTill>> {
  const rows = await repo.tillWalletsByCards(q, numbers);
  return new Map(
    [...rows].map(([n, row]) => [
      n,
      { status: row.status, customerId: row.customerId, wallet: !row.customerId || row.status !== 'active' ? null : toWallet(row) },
    ]),
  );
}

export const redeem = ledger.redeem;
export const earn = ledger.earn;
export const redeemMany = ledger.redeemMany;
export const earnMany = ledger.earnMany;
export const reverseEarned = ledger.reverseEarned;
export const restoreRedeemed = ledger.restoreRedeemed;
export const redemptionLots = ledger.redemptionLots;

/** A wallet's balance: active and pending points, and active points by expiry date. */
export async function getBalance(q: Queryable, customerId: string): Promise<Balance> {
  const { owner } = await repo.householdOf(q, customerId);
  const [b, expiring] = await Promise.all([ledger.cachedBalance(q, owner), ledger.expiringPoints(q, owner)]);
  return { customerId, walletOwnerId: owner, active: b.active, pending: b.pending, expiring };
}

/** The cached balance and the balance summed over the transfers: equal, or the ledger is broken (tests assert it). */
export async function checkBalance(
  q: Queryable,
  owner: string,
): Promise<{ cached: { active: number; pending: number }; ledger: { active: number; pending: number } }> {
  const [c, l] = await Promise.all([ledger.cachedBalance(q, owner), ledger.ledgerBalance(q, owner)]);
  return { cached: c, ledger: l };
}

export async function ledgerEntries(q: Queryable, customerId: string, limit = 100) {
  const { owner } = await repo.householdOf(q, customerId);
  return (await ledger.ledgerEntries(q, owner, limit)).map((e) => ({ ...e, createdAt: new Date(e.createdAt).toISOString() }));
}

/**
 * A manual correction (goodwill, or taking back points): a credit makes a new lot, active at once; a debit takes
 * active points soonest-expiring first and never overdraws. Idempotent by `idempotencyKey`.
 */
export async function adjust(
  database: Database,
  a: { customerId: string; points: number; reason: string; idempotencyKey: string; at?: Date },
): Promise<{ transferId: string; replayed: boolean; balance: Balance }> {
  const program = await getProgram(database);
  const out = await database.transaction(async (s) => {
    const { owner } = await repo.householdOf(s, a.customerId);
    const cause = `adjust:${a.idempotencyKey}`;
    const seen = await ledger.findTransferByCause(s, owner, cause);
    if (seen) return { transferId: seen.id, replayed: true };
    if (a.points > 0) {
      const r = await ledger.earn(s, {
        owner,
        actor: a.customerId,
        points: a.points,
        cause,
        receiptId: null,
        partnerCode: null,
        at: a.at ?? new Date(),
        pendingDays: 0,
        expiryMonths: program.config.lifecycle.expiryMonths,
        kind: 'adjust',
      });
      return { transferId: r.transferId, replayed: false };
    }
    const r = await ledger.redeem(s, {
      owner,
      actor: a.customerId,
      points: -a.points,
      cause,
      receiptId: null,
      kind: 'adjust',
      credit: 'program',
    });
    return { transferId: r.transferId, replayed: false };
  });
  return { ...out, balance: await getBalance(database, a.customerId) };
}

export type PointsLiability = {
  /** Points earned (kind earn), and taken back by returns (reverse-earn), in the period. */
  earned: number;
  reversed: number;
  /** Points redeemed (redeem, at the till or a partner), and given back by returns (restore). */
  redeemed: number;
  restored: number;
  /** Points expired to breakage. */
  expired: number;
  /** Manual corrections, credits less debits. */
  adjusted: number;
  /** Any other net movement into wallets (pooling and activation move points between wallets and net to 0). */
  other: number;
  /** Points in all wallets, active and pending, at the start and at the end of the period. */
  start: { active: number; pending: number };
  end: { active: number; pending: number };
  /** Lots whose expiry date is before the period's end: how many, and their points expired and spent (redeemed − restored). */
  expiredLots: { lots: number; expired: number; spent: number };
};

/**
 * The program's points liability over [from, to), from the ledger's transfers by their time: what was issued, spent,
 * expired and adjusted, and the balance of all wallets at both ends. The movements add up: end = start + earned −
 * reversed − redeemed + restored − expired + adjusted + other.
 */
export async function pointsLiability(q: Queryable, from: Date, to: Date): Promise<PointsLiability> {
  const flows = await ledger.walletFlowsByKind(q, from, to);
  const balances = await ledger.outstandingAt(q, from, to);
  const expiredLots = await ledger.expiredLotOutcomes(q, to);
  const net = (kind: string) => flows.get(kind) ?? 0;
  const known = new Set(['earn', 'reverse-earn', 'redeem', 'restore', 'expire', 'adjust']);
  const other = [...flows].reduce((a, [k, v]) => (known.has(k) ? a : a + v), 0);
  // Outflows as positive counts; 0 − x rather than −x, so that none is a negative zero ("-0 pts" in the CLI).
  return {
    earned: net('earn'),
    reversed: 0 - net('reverse-earn'),
    redeemed: 0 - net('redeem'),
    restored: net('restore'),
    expired: 0 - net('expire'),
    adjusted: net('adjust'),
    other,
    start: balances.a,
    end: balances.b,
    expiredLots,
  };
}

const BREAKAGE_NOTE =
  'Expected breakage = outstanding points at the end × the historical breakage rate, expired ÷ (expired + spent) over the lots whose expiry date is past; an estimate.';

/**
 * The points liability over [from, to) in the program's terms: points issued and spent net of returns, expired and
 * adjusted, what all wallets held at both ends, each at the point value, and the breakage expected of what is left.
 */
export async function liability(q: Queryable, from: Date, to: Date): Promise<Liability> {
  const program = await getProgram(q);
  const currency = program.config.currency;
  const points = (n: number) => ({
    points: n,
    valueMinor: n * program.pointValueMinor,
    value: minorToDecimal(n * program.pointValueMinor, currency),
  });
  const l = await pointsLiability(q, from, to);
  const outstandingEnd = l.end.active + l.end.pending;
  const basis = l.expiredLots;
  const rate = basis.expired + basis.spent > 0 ? basis.expired / (basis.expired + basis.spent) : null;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    currency,
    pointValue: program.config.burn.pointValue,
    issued: points(l.earned - l.reversed),
    spent: points(l.redeemed - l.restored),
    expired: points(l.expired),
    adjustments: points(l.adjusted),
    other: points(l.other),
    outstandingStart: points(l.start.active + l.start.pending),
    outstandingEnd: points(outstandingEnd),
    breakage: { note: BREAKAGE_NOTE, rate, basis, expected: rate === null ? null : points(Math.round(outstandingEnd * rate)) },
  };
}

/** Activation job: lots whose pending period is over become spendable. Batches of wallets, one transaction each. */
export async function activateDue(database: Database, now = new Date(), batch = 1000): Promise<{ lots: number; points: number }> {
  const total = { lots: 0, points: 0 };
  for (;;) {
    const r = await database.transaction((s) => ledger.activateDue(s, now, batch));
    total.lots += r.lots;
    total.points += r.points;
    if (r.lots === 0) return total;
  }
}

/** Expiry job: what is left in lots past their date goes to breakage. Batches of wallets, one transaction each. */
export async function expireDue(database: Database, now = new Date(), batch = 1000): Promise<{ lots: number; points: number }> {
  const total = { lots: 0, points: 0 };
  for (;;) {
    const r = await database.transaction((s) => ledger.expireDue(s, now, batch));
    total.lots += r.lots;
    total.points += r.points;
    if (r.lots === 0) return total;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tiers

/** Rank of each tier key (its place in the program's list, lowest first). */
export function tierRanks(program: Program): Record<string, number> {
  return Object.fromEntries(program.config.tiers.levels.map((t, i) => [t.key, i]));
}

/** The highest tier whose thresholds the spend and purchases meet, if any. */
export function earnedTier(program: Program, spendMinor: number, purchases: number): string | null {
  let best: string | null = null;
  for (const t of program.config.tiers.levels) {
    const min = decimalToMinor(t.minSpend, program.config.currency)!;
    if (spendMinor >= min && purchases >= t.minPurchases) best = t.key;
  }
  return best;
}

/**
 * After receipts: add each to its customer's running spend and upgrade a tier at once when that spend now qualifies
 * for a higher one, in one statement whose answer nobody waits for. The nightly tier job recomputes the rolling window
 * exactly and downgrades.
 */
export async function upgradeTiersAfterReceipts(
  s: Session,
  program: Program,
  receipts: readonly { customerId: string; at: Date; spendMinor: number }[],
): Promise<void> {
  if (program.config.tiers.levels.length === 0 || receipts.length === 0) return;
  await repo.addTierSpend(
    s,
    receipts,
    program.config.tiers.levels.map((t) => ({
      key: t.key,
      minSpendMinor: decimalToMinor(t.minSpend, program.config.currency)!,
      minPurchases: t.minPurchases,
    })),
  );
}

/** Tier job: every customer's tier from rolling spend; downgrades only after the grace period below the threshold. */
export async function evaluateTiers(
  database: Database,
  at = new Date(),
): Promise<{ customers: number; upgraded: number; downgraded: number; marked: number }> {
  const program = await getProgram(database);
  const from = new Date(at.getTime() - program.config.tiers.windowDays * 86_400_000);
  const spend = await sales.spendByCustomer(database, from, at, program.config.currency);
  const known = await database.query<{ customer_id: string }>(`SELECT customer_id FROM loyalty.customer_tiers`);
  const byId = new Map(spend.map((r) => [r.customerId, r]));
  for (const k of known) if (!byId.has(k.customer_id)) byId.set(k.customer_id, { customerId: k.customer_id, spendMinor: 0, purchases: 0 });
  const rows = [...byId.values()];
  const r = await database.transaction((s) =>
    repo.evaluateTiers(
      s,
      at,
      program.config.tiers.downgradeGraceDays,
      {
        customerIds: rows.map((x) => x.customerId),
        earned: rows.map((x) => earnedTier(program, x.spendMinor, x.purchases) ?? 'none'),
        spend: rows.map((x) => x.spendMinor),
        purchases: rows.map((x) => x.purchases),
      },
      tierRanks(program),
    ),
  );
  return { customers: rows.length, ...r };
}

export async function findTier(q: Queryable, customerId: string) {
  return repo.findTier(q, customerId);
}

// ---------------------------------------------------------------------------------------------------------------
// Till receipts and sensitivity

export type TillReceiptRow = repo.TillReceiptRow;
export const findTillReceipt = repo.findTillReceipt;
export const findSaleWithReturns = repo.findSaleWithReturns;
export const insertTillReceipts = repo.insertTillReceipts;
export const findTillReceipts = repo.findTillReceipts;
export const addLadderCounts = repo.addLadderCounts;

/** Sensitivity job: pools every customer's ladder counts by the R×F cell they are in now (the prior of the model). */
export async function refreshCellPriors(
  database: Database,
  onDate: string,
  cells: { customerIds: string[]; cells: string[] },
): Promise<number> {
  const n = await database.transaction((s) => repo.refreshCellPriors(s, onDate, cells));
  reference.clear();
  return n;
}
