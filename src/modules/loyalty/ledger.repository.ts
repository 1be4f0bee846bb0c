import type { Queryable, Session } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';

// The points ledger's SQL. Accounts are names: `program`, `breakage`, `pending:<owner>`, `active:<owner>`.
// Every write to a wallet first takes its balance row (a conditional UPDATE, or an upsert), which is the wallet's
// lock: the statements that read its lots afterwards start after the lock is held, so they see every earlier
// commit, and two redemptions of one wallet can never consume the same points.

export const pendingAccount = (owner: string) => `pending:${owner}`;
export const activeAccount = (owner: string) => `active:${owner}`;

export type LotTake = { lotId: string; points: number };

/**
 * Takes `points` from the wallet's active balance, or throws LOYALTY_INSUFFICIENT_POINTS with nothing written. Then
 * records one transfer active → program and links it to the lots it consumed, soonest-expiring first.
 */
export async function redeem(
  s: Session,
  a: {
    owner: string;
    actor: string;
    points: number;
    cause: string;
    receiptId: string | null;
    kind?: string;
    credit?: string;
    partnerCode?: string | null;
  },
): Promise<{ transferId: string; lots: LotTake[]; activeAfter: number }> {
  const claimed = await s.query<{ active: number }>(
    `UPDATE loyalty.balances SET active = active - $2::int, updated_at = now() WHERE customer_id = $1 AND active >= $2::int RETURNING active`,
    [a.owner, a.points],
  );
  if (claimed.length === 0) {
    const have = await s.query<{ active: number }>(`SELECT active FROM loyalty.balances WHERE customer_id = $1`, [a.owner]);
    const active = have[0]?.active ?? 0;
    throw new AppError('LOYALTY_INSUFFICIENT_POINTS', `redeemPoints: ${a.points} points asked, ${active} available.`, {
      fields: [{ field: 'redeemPoints', message: `at most ${active}` }],
      available: active,
    });
  }
  const transferId = newId('transfer');
  const rows = await s.query<{ lots: LotTake[] | null }>(
    `WITH lots AS (
       SELECT l.id, l.expires_at, l.points - coalesce(sum(m.points), 0)::int AS rem
       FROM loyalty.lots l LEFT JOIN loyalty.lot_moves m ON m.customer_id = l.customer_id AND m.lot_id = l.id
       WHERE l.customer_id = $1
       GROUP BY l.id, l.expires_at, l.points
       HAVING bool_or(m.kind = 'activate') AND l.points - coalesce(sum(m.points), 0) > 0),
     ordered AS (SELECT id, rem, sum(rem) OVER (ORDER BY expires_at, id) AS run FROM lots),
     take AS (SELECT id, least(rem, $2::int - (run - rem))::int AS pts FROM ordered WHERE run - rem < $2::int),
     trf AS (
       INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, receipt_id, actor_customer_id, partner_code)
       VALUES ($1, $3, 'active:' || $1, $7, $2::int, $6, $4, $5, $8, $9)),
     mv AS (INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points) SELECT $1, id, $3, $6, pts FROM take)
     SELECT json_agg(json_build_object('lotId', id, 'points', pts) ORDER BY id) AS lots FROM take`,
    [
      a.owner,
      a.points,
      transferId,
      a.cause,
      a.receiptId,
      a.kind ?? 'redeem',
      a.credit ?? 'program',
      a.actor === a.owner ? null : a.actor,
      a.partnerCode ?? null,
    ],
  );
  const lots = rows[0]?.lots ?? [];
  const covered = lots.reduce((x, l) => x + l.points, 0);
  // The balance and the lots are one ledger; a difference is a bug, and nothing is written.
  if (covered !== a.points) throw new Error(`ledger: wallet ${a.owner} has ${covered} points in lots for a claim of ${a.points}`);
  return { transferId, lots, activeAfter: claimed[0]!.active };
}

/**
 * Earns points into a new lot: pending for `pendingDays` (then activated by the job), or active at once when 0.
 * One statement: the lot, the transfer program → wallet, the activation mark and the balance.
 */
export async function earn(
  s: Session,
  a: {
    owner: string;
    actor: string;
    points: number;
    cause: string;
    receiptId: string | null;
    partnerCode: string | null;
    at: Date;
    pendingDays: number;
    expiryMonths: number;
    kind?: string;
  },
): Promise<{ lotId: string; transferId: string; balance: { active: number; pending: number } }> {
  const lotId = newId('lot');
  const transferId = newId('transfer');
  const activeNow = a.pendingDays === 0;
  const rows = await s.query<{ active: number; pending: number }>(
    `WITH lot AS (
       INSERT INTO loyalty.lots (customer_id, id, points, earned_at, activates_at, expires_at, receipt_id, partner_code, cause)
       VALUES ($1, $2, $3::int, $4::timestamptz, $4::timestamptz + make_interval(days => $5::int), $4::timestamptz + make_interval(months => $6::int), $7, $8, $9)),
     trf AS (
       INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, lot_id, receipt_id, partner_code, actor_customer_id)
       VALUES ($1, $10, 'program', CASE WHEN $11::boolean THEN 'active:' ELSE 'pending:' END || $1, $3::int, $13, $9, $2, $7, $8, $12)),
     mv AS (INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points) SELECT $1, $2, $10, 'activate', 0 WHERE $11::boolean)
     INSERT INTO loyalty.balances (customer_id, pending, active) VALUES ($1, CASE WHEN $11::boolean THEN 0 ELSE $3::int END, CASE WHEN $11::boolean THEN $3::int ELSE 0 END)
     ON CONFLICT (customer_id) DO UPDATE SET pending = loyalty.balances.pending + EXCLUDED.pending, active = loyalty.balances.active + EXCLUDED.active, updated_at = now()
     RETURNING active, pending`,
    [
      a.owner,
      lotId,
      a.points,
      a.at,
      a.pendingDays,
      a.expiryMonths,
      a.receiptId,
      a.partnerCode,
      a.cause,
      transferId,
      activeNow,
      a.actor === a.owner ? null : a.actor,
      a.kind ?? 'earn',
    ],
  );
  return { lotId, transferId, balance: rows[0]! };
}

/**
 * Takes back up to `points` earned by a receipt (a return): from what is left in that receipt's lots, pending or
 * active. What was already spent cannot be taken back; the caller turns that shortfall into money.
 */
export async function reverseEarned(
  s: Session,
  a: { owner: string; receiptId: string; points: number; cause: string },
): Promise<{ reversed: number; shortfall: number }> {
  // The wallet's lock first (see the top of this file); the upsert also creates a missing row.
  await s.query(`INSERT INTO loyalty.balances (customer_id) VALUES ($1) ON CONFLICT (customer_id) DO UPDATE SET updated_at = now()`, [
    a.owner,
  ]);
  const rows = await s.query<{ lot_id: string; active: boolean; pts: number }>(
    `WITH lots AS (
       SELECT l.id, coalesce(bool_or(m.kind = 'activate'), false) AS active, l.points - coalesce(sum(m.points), 0)::int AS rem
       FROM loyalty.lots l LEFT JOIN loyalty.lot_moves m ON m.customer_id = l.customer_id AND m.lot_id = l.id
       WHERE l.customer_id = $1 AND l.receipt_id = $2
       GROUP BY l.id, l.points HAVING l.points - coalesce(sum(m.points), 0) > 0),
     ordered AS (SELECT id, active, rem, sum(rem) OVER (ORDER BY id) AS run FROM lots)
     SELECT id AS lot_id, active, least(rem, $3::int - (run - rem))::int AS pts FROM ordered WHERE run - rem < $3::int`,
    [a.owner, a.receiptId, a.points],
  );
  let reversed = 0;
  for (const [i, r] of rows.entries()) {
    const transferId = newId('transfer');
    const from = r.active ? activeAccount(a.owner) : pendingAccount(a.owner);
    await s.query(
      `WITH trf AS (
         INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, lot_id, receipt_id)
         VALUES ($1, $2, $3, 'program', $4::int, 'reverse-earn', $5, $6, $7)),
       mv AS (INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points) VALUES ($1, $6, $2, 'reverse-earn', $4::int))
       UPDATE loyalty.balances SET active = active - CASE WHEN $8::boolean THEN $4::int ELSE 0 END, pending = pending - CASE WHEN $8::boolean THEN 0 ELSE $4::int END, updated_at = now()
       WHERE customer_id = $1`,
      [a.owner, transferId, from, r.pts, `${a.cause}:${i}`, r.lot_id, a.receiptId, r.active],
    );
    reversed += r.pts;
  }
  return { reversed, shortfall: a.points - reversed };
}

/**
 * Gives back redeemed points (a return of a receipt paid partly with points): into the lots the redemption took
 * them from, in proportion, so they keep their expiry dates. `shares` come from the caller's allocation.
 */
export async function restoreRedeemed(
  s: Session,
  a: { owner: string; points: number; cause: string; receiptId: string; shares: LotTake[] },
): Promise<string> {
  const transferId = newId('transfer');
  await s.query(
    `WITH trf AS (
       INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, receipt_id)
       VALUES ($1, $2, 'program', 'active:' || $1, $3::int, 'restore', $4, $5)),
     mv AS (
       INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points)
       SELECT $1, lot_id, $2, 'restore', -pts FROM unnest($6::text[], $7::int[]) AS t(lot_id, pts) WHERE pts > 0)
     INSERT INTO loyalty.balances (customer_id, active) VALUES ($1, $3::int)
     ON CONFLICT (customer_id) DO UPDATE SET active = loyalty.balances.active + EXCLUDED.active, updated_at = now()`,
    [a.owner, transferId, a.points, a.cause, a.receiptId, a.shares.map((x) => x.lotId), a.shares.map((x) => x.points)],
  );
  return transferId;
}

/** The lots a redemption transfer consumed, and how much of each. */
export async function redemptionLots(q: Queryable, owner: string, transferId: string): Promise<LotTake[]> {
  return q.query<LotTake>(
    `SELECT lot_id AS "lotId", points FROM loyalty.lot_moves WHERE customer_id = $1 AND transfer_id = $2 AND points > 0 ORDER BY lot_id`,
    [owner, transferId],
  );
}

/** Has a transfer with this cause been recorded (a retried adjustment)? */
export async function findTransferByCause(q: Queryable, owner: string, cause: string): Promise<{ id: string; points: number } | undefined> {
  const rows = await q.query<{ id: string; points: number }>(
    `SELECT id, points FROM loyalty.transfers WHERE customer_id = $1 AND cause = $2`,
    [owner, cause],
  );
  return rows[0];
}

type DueLot = { customer_id: string; id: string; active: boolean; rem: number };

/** Locks the wallets of due lots (balance rows, in key order), then reads what is left in each due lot. */
async function lockAndReadDue(s: Session, owners: string[], now: Date, which: 'activation' | 'expiry'): Promise<DueLot[]> {
  await s.query(`SELECT customer_id FROM loyalty.balances WHERE customer_id = ANY($1::text[]) ORDER BY customer_id FOR UPDATE`, [owners]);
  const cond =
    which === 'activation'
      ? `l.activates_at <= $2 GROUP BY l.customer_id, l.id, l.points HAVING NOT coalesce(bool_or(m.kind = 'activate'), false)`
      : `l.expires_at <= $2 GROUP BY l.customer_id, l.id, l.points HAVING l.points - coalesce(sum(m.points), 0) > 0`;
  return s.query<DueLot>(
    `SELECT l.customer_id, l.id, coalesce(bool_or(m.kind = 'activate'), false) AS active, (l.points - coalesce(sum(m.points), 0))::int AS rem
     FROM loyalty.lots l LEFT JOIN loyalty.lot_moves m ON m.customer_id = l.customer_id AND m.lot_id = l.id
     WHERE l.customer_id = ANY($1::text[]) AND ${cond} ORDER BY l.customer_id, l.id`,
    [owners, now],
  );
}

/** Moves what is left in each due lot (one transfer per lot), marks the lots, and updates the balances: one statement. */
async function moveLots(s: Session, lots: DueLot[], kind: 'activate' | 'expire'): Promise<void> {
  const moving = lots.filter((l) => l.rem > 0 || kind === 'activate');
  if (moving.length === 0) return;
  const ids = moving.map(() => newId('transfer'));
  const from = moving.map((l) => (l.active ? activeAccount(l.customer_id) : pendingAccount(l.customer_id)));
  const to = moving.map((l) => (kind === 'activate' ? activeAccount(l.customer_id) : 'breakage'));
  await s.query(
    `WITH t AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bool[]) AS t(customer_id, lot_id, tid, debit, credit, rem, active)),
     trf AS (
       INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, lot_id)
       SELECT customer_id, tid, debit, credit, rem, $8::text, $8::text || ':' || lot_id, lot_id FROM t WHERE rem > 0),
     mv AS (
       INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points)
       SELECT customer_id, lot_id, tid, $8::text, CASE WHEN $8::text = 'activate' THEN 0 ELSE rem END FROM t)
     UPDATE loyalty.balances b SET
       pending = b.pending - d.from_pending,
       active = b.active - d.from_active + CASE WHEN $8::text = 'activate' THEN d.from_pending ELSE 0 END,
       updated_at = now()
     FROM (SELECT customer_id, coalesce(sum(rem) FILTER (WHERE NOT active), 0)::int AS from_pending, coalesce(sum(rem) FILTER (WHERE active), 0)::int AS from_active
           FROM t GROUP BY customer_id) d
     WHERE b.customer_id = d.customer_id`,
    [moving.map((l) => l.customer_id), moving.map((l) => l.id), ids, from, to, moving.map((l) => l.rem), moving.map((l) => l.active), kind],
  );
}

/**
 * Activates the lots whose pending period is over: a transfer pending → active of what is left in each, and the
 * lot's activation mark. Idempotent (a lot is activated once); the wallets' balance rows are locked first.
 */
export async function activateDue(s: Session, now: Date, limit: number): Promise<{ lots: number; points: number }> {
  const owners = await s.query<{ customer_id: string }>(
    `SELECT DISTINCT l.customer_id FROM loyalty.lots l
     WHERE l.activates_at <= $1 AND NOT EXISTS (SELECT 1 FROM loyalty.lot_moves m WHERE m.customer_id = l.customer_id AND m.lot_id = l.id AND m.kind = 'activate')
     ORDER BY 1 LIMIT $2`,
    [now, limit],
  );
  if (owners.length === 0) return { lots: 0, points: 0 };
  const lots = await lockAndReadDue(
    s,
    owners.map((o) => o.customer_id),
    now,
    'activation',
  );
  await moveLots(s, lots, 'activate');
  return { lots: lots.length, points: lots.reduce((a, l) => a + l.rem, 0) };
}

/**
 * Expires what is left in lots past their date: a transfer wallet → breakage per lot (from pending when the lot
 * never activated). Idempotent (an expired lot has nothing left); the wallets' balance rows are locked first.
 */
export async function expireDue(s: Session, now: Date, limit: number): Promise<{ lots: number; points: number }> {
  const owners = await s.query<{ customer_id: string }>(
    `SELECT DISTINCT l.customer_id FROM loyalty.lots l
     WHERE l.expires_at <= $1 AND l.points > coalesce((SELECT sum(m.points) FROM loyalty.lot_moves m WHERE m.customer_id = l.customer_id AND m.lot_id = l.id), 0)
     ORDER BY 1 LIMIT $2`,
    [now, limit],
  );
  if (owners.length === 0) return { lots: 0, points: 0 };
  const lots = await lockAndReadDue(
    s,
    owners.map((o) => o.customer_id),
    now,
    'expiry',
  );
  await moveLots(s, lots, 'expire');
  return { lots: lots.length, points: lots.reduce((a, l) => a + l.rem, 0) };
}

/** The cached balance of a wallet. */
export async function cachedBalance(q: Queryable, owner: string): Promise<{ active: number; pending: number }> {
  const rows = await q.query<{ active: number; pending: number }>(`SELECT active, pending FROM loyalty.balances WHERE customer_id = $1`, [
    owner,
  ]);
  return rows[0] ?? { active: 0, pending: 0 };
}

/** A wallet's balances as sums over its transfers: what the cache must equal. */
export async function ledgerBalance(q: Queryable, owner: string): Promise<{ active: number; pending: number }> {
  const rows = await q.query<{ active: number; pending: number }>(
    `SELECT coalesce(sum(CASE WHEN credit_account = 'active:' || $1 THEN points WHEN debit_account = 'active:' || $1 THEN -points END), 0)::int AS active,
            coalesce(sum(CASE WHEN credit_account = 'pending:' || $1 THEN points WHEN debit_account = 'pending:' || $1 THEN -points END), 0)::int AS pending
     FROM loyalty.transfers WHERE customer_id = $1`,
    [owner],
  );
  return rows[0]!;
}

/** Active points left in lots, by expiry date (soonest first). */
export async function expiringPoints(q: Queryable, owner: string): Promise<{ expiresAt: string; points: number }[]> {
  return q.query(
    `SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "expiresAt", sum(rem)::int AS points FROM (
       SELECT l.expires_at, l.points - coalesce(sum(m.points), 0) AS rem
       FROM loyalty.lots l LEFT JOIN loyalty.lot_moves m ON m.customer_id = l.customer_id AND m.lot_id = l.id
       WHERE l.customer_id = $1 GROUP BY l.id, l.expires_at, l.points HAVING bool_or(m.kind = 'activate')) x
     WHERE rem > 0 GROUP BY expires_at ORDER BY expires_at`,
    [owner],
  );
}

/** The wallet's transfers, newest first. */
export async function ledgerEntries(q: Queryable, owner: string, limit: number) {
  return q.query<{
    id: string;
    kind: string;
    debitAccount: string;
    creditAccount: string;
    points: number;
    cause: string;
    receiptId: string | null;
    lotId: string | null;
    createdAt: Date;
  }>(
    `SELECT id, kind, debit_account AS "debitAccount", credit_account AS "creditAccount", points, cause, receipt_id AS "receiptId", lot_id AS "lotId", created_at AS "createdAt"
     FROM loyalty.transfers WHERE customer_id = $1 ORDER BY id DESC LIMIT $2`,
    [owner, limit],
  );
}
