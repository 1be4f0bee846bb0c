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
 * The lots with what each has used (`m.used`) and whether it was activated (`m.active`), for a FROM clause: each lot's
 * moves are summed by a lateral lookup on their primary key's prefix, so the cost follows the lots asked for. (A join
 * then GROUP BY let PostgreSQL's generic plan for `customer_id = ANY($1)` hash the whole of lot_moves: 2.5 ms per
 * redemption at 14,000 moves, growing with the table; 0.48 ms this way for a customer with 22 lots.)
 */
export const LOTS_WITH_MOVES = `loyalty.lots l CROSS JOIN LATERAL (
  SELECT coalesce(sum(mv.points), 0)::int AS used, coalesce(bool_or(mv.kind = 'activate'), false) AS active
  FROM loyalty.lot_moves mv WHERE mv.customer_id = l.customer_id AND mv.lot_id = l.id) m`;

export type Redemption = {
  owner: string;
  actor: string;
  points: number;
  cause: string;
  receiptId: string | null;
  kind?: string;
  credit?: string;
  partnerCode?: string | null;
  /** The redemption transfer's id, when the caller needs it before the answer (the till's pipelined commit). */
  transferId?: string;
};

/**
 * Takes `points` from the wallet's active balance, or throws LOYALTY_INSUFFICIENT_POINTS with nothing written. Then
 * records one transfer active → program and links it to the lots it consumed, soonest-expiring first.
 */
export async function redeem(s: Session, a: Redemption): Promise<{ transferId: string; lots: LotTake[]; activeAfter: number }> {
  const [r] = await redeemMany(s, [a]);
  if (!r!.ok) {
    const have = await s.query<{ active: number }>(`SELECT active FROM loyalty.balances WHERE customer_id = $1`, [a.owner]);
    const active = have[0]?.active ?? 0;
    throw new AppError('LOYALTY_INSUFFICIENT_POINTS', `redeemPoints: ${a.points} points asked, ${active} available.`, {
      fields: [{ field: 'redeemPoints', message: `at most ${active}` }],
      available: active,
    });
  }
  return r!;
}

/**
 * redeem for several wallets at once, each at most once (a repeated owner is a bug: its balance row can be claimed
 * once per statement): two statements whatever their number. Each answer says whether its wallet had the points;
 * when one did not, nothing of that redemption is written, and the caller decides about the rest.
 *
 * With `together`, the second statement (the lots, read after the balance rows are claimed, so that it sees every
 * earlier commit) is sent with the first instead of after its answer, for every redemption: one round trip in a
 * pipelined transaction. A redemption refused then has its transfer written all the same, and the caller must roll
 * back (the till's group commit does, whenever any sale fails).
 *
 * With `ahead` (implies `together`; a transaction whose COMMIT is sent before the answers are read: Session.commitAhead),
 * the statements fail by themselves instead: a balance that would go below zero breaks its check (23514), and lots
 * that do not cover a redemption (a wallet without a balance row, or a ledger out of step) raise PT001.
 */
export async function redeemMany(
  s: Session,
  rs: readonly Redemption[],
  opts: { together?: boolean; ahead?: boolean } = {},
): Promise<({ ok: true; transferId: string; lots: LotTake[]; activeAfter: number } | { ok: false })[]> {
  if (rs.length === 0) return [];
  if (new Set(rs.map((r) => r.owner)).size !== rs.length) throw new Error('ledger: redeemMany got a wallet twice');
  const claim = s.query<{ owner: string; active: number }>(
    `UPDATE loyalty.balances b SET active = b.active - r.pts, updated_at = now()
     FROM unnest($1::text[], $2::int[]) AS r(owner, pts) WHERE b.customer_id = r.owner${opts.ahead ? '' : ' AND b.active >= r.pts'}
     RETURNING b.customer_id AS owner, b.active`,
    [rs.map((r) => r.owner), rs.map((r) => r.points)],
  );
  const withIds = rs.map((r) => ({ ...r, transferId: r.transferId ?? newId('transfer') }));
  let claimed: { owner: string; active: number }[];
  let taken: Map<string, LotTake[]>;
  if (opts.together || opts.ahead) [claimed, taken] = await Promise.all([claim, takeLots(s, withIds, opts.ahead === true)]);
  else {
    claimed = await claim;
    const owners = new Set(claimed.map((c) => c.owner));
    taken = await takeLots(
      s,
      withIds.filter((r) => owners.has(r.owner)),
    );
  }
  const after = new Map(claimed.map((c) => [c.owner, c.active]));
  const byOwner = new Map(withIds.map((r) => [r.owner, r]));
  return rs.map((r) => {
    if (!after.has(r.owner)) return { ok: false as const };
    const lots = taken.get(r.owner) ?? [];
    const covered = lots.reduce((x, l) => x + l.points, 0);
    // The balance and the lots are one ledger; a difference is a bug, and nothing is written.
    if (covered !== r.points) throw new Error(`ledger: wallet ${r.owner} has ${covered} points in lots for a claim of ${r.points}`);
    return { ok: true as const, transferId: byOwner.get(r.owner)!.transferId, lots, activeAfter: after.get(r.owner)! };
  });
}

/**
 * The redemptions' transfers, linked to the lots they consume, soonest-expiring first: one statement. With `ensure`,
 * it fails (PT001) when the lots do not cover a redemption.
 */
async function takeLots(s: Session, go: readonly (Redemption & { transferId: string })[], ensure = false): Promise<Map<string, LotTake[]>> {
  if (go.length === 0) return new Map();
  const rows = await s.query<{ owner: string; lots: LotTake[] }>(
    `WITH r AS (SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                  AS r(owner, pts, tid, cause, receipt_id, kind, credit, actor, partner_code)),
     lots AS (
       SELECT l.customer_id, l.id, l.expires_at, l.points - m.used AS rem
       FROM ${LOTS_WITH_MOVES}
       WHERE l.customer_id = ANY($1::text[]) AND m.active AND l.points > m.used),
     ordered AS (SELECT customer_id, id, rem, sum(rem) OVER (PARTITION BY customer_id ORDER BY expires_at, id) AS run FROM lots),
     take AS (SELECT o.customer_id, o.id, r.tid, r.kind, least(o.rem, r.pts - (o.run - o.rem))::int AS pts FROM ordered o JOIN r ON r.owner = o.customer_id WHERE o.run - o.rem < r.pts),
     trf AS (
       INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, receipt_id, actor_customer_id, partner_code)
       SELECT owner, tid, 'active:' || owner, credit, pts, kind, cause, receipt_id, actor, partner_code FROM r),
     mv AS (INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points) SELECT customer_id, id, tid, kind, pts FROM take),
     t AS (SELECT customer_id, sum(pts) AS pts, json_agg(json_build_object('lotId', id, 'points', pts) ORDER BY id) AS lots FROM take GROUP BY customer_id)
     ${
       ensure
         ? // Every redemption is a row of the answer, so that each one is checked, even one that took no lot.
           `SELECT r.owner, t.lots FROM r LEFT JOIN t ON t.customer_id = r.owner
            WHERE platform.ensure(coalesce(t.pts, 0) = r.pts, 'ledger: the lots of wallet ' || r.owner || ' do not cover ' || r.pts || ' points')`
         : `SELECT customer_id AS owner, lots FROM t`
     }`,
    [
      go.map((r) => r.owner),
      go.map((r) => r.points),
      go.map((r) => r.transferId),
      go.map((r) => r.cause),
      go.map((r) => r.receiptId),
      go.map((r) => r.kind ?? 'redeem'),
      go.map((r) => r.credit ?? 'program'),
      go.map((r) => (r.actor === r.owner ? null : r.actor)),
      go.map((r) => r.partnerCode ?? null),
    ],
  );
  return new Map(rows.map((row) => [row.owner, row.lots ?? []]));
}

export type Earning = {
  owner: string;
  actor: string;
  points: number;
  cause: string;
  receiptId: string | null;
  partnerCode: string | null;
  at: Date;
  pendingDays: number;
  expiryMonths: number;
  /** The lot's expiry when it is not `at` + expiryMonths (an opening balance carried over from another program). */
  expiresAt?: Date | null;
  kind?: string;
};

/**
 * Earns points into a new lot: pending for `pendingDays` (then activated by the job), or active at once when 0.
 * One statement: the lot, the transfer program → wallet, the activation mark and the balance.
 */
export async function earn(
  s: Session,
  a: Earning,
): Promise<{ lotId: string; transferId: string; balance: { active: number; pending: number } }> {
  return (await earnMany(s, [a]))[0]!;
}

/** earn for several earnings at once (a wallet may repeat): one statement whatever their number. */
export async function earnMany(
  s: Session,
  es: readonly Earning[],
): Promise<{ lotId: string; transferId: string; balance: { active: number; pending: number } }[]> {
  if (es.length === 0) return [];
  const ids = es.map(() => ({ lotId: newId('lot'), transferId: newId('transfer') }));
  const rows = await s.query<{ owner: string; active: number; pending: number }>(
    `WITH r AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::int[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[])
                  AS r(owner, lot_id, tid, pts, at, pending_days, expiry_months, receipt_id, partner_code, cause, actor, kind, expires_at)),
     lot AS (
       INSERT INTO loyalty.lots (customer_id, id, points, earned_at, activates_at, expires_at, receipt_id, partner_code, cause)
       SELECT owner, lot_id, pts, at, at + make_interval(days => pending_days), coalesce(expires_at, at + make_interval(months => expiry_months)), receipt_id, partner_code, cause FROM r),
     trf AS (
       INSERT INTO loyalty.transfers (customer_id, id, debit_account, credit_account, points, kind, cause, lot_id, receipt_id, partner_code, actor_customer_id)
       SELECT owner, tid, 'program', CASE WHEN pending_days = 0 THEN 'active:' ELSE 'pending:' END || owner, pts, kind, cause, lot_id, receipt_id, partner_code, actor FROM r),
     mv AS (INSERT INTO loyalty.lot_moves (customer_id, lot_id, transfer_id, kind, points) SELECT owner, lot_id, tid, 'activate', 0 FROM r WHERE pending_days = 0)
     INSERT INTO loyalty.balances (customer_id, pending, active)
     SELECT owner, sum(CASE WHEN pending_days = 0 THEN 0 ELSE pts END)::int, sum(CASE WHEN pending_days = 0 THEN pts ELSE 0 END)::int FROM r GROUP BY owner
     ON CONFLICT (customer_id) DO UPDATE SET pending = loyalty.balances.pending + EXCLUDED.pending, active = loyalty.balances.active + EXCLUDED.active, updated_at = now()
     RETURNING customer_id AS owner, active, pending`,
    [
      es.map((e) => e.owner),
      ids.map((i) => i.lotId),
      ids.map((i) => i.transferId),
      es.map((e) => e.points),
      es.map((e) => e.at),
      es.map((e) => e.pendingDays),
      es.map((e) => e.expiryMonths),
      es.map((e) => e.receiptId),
      es.map((e) => e.partnerCode),
      es.map((e) => e.cause),
      es.map((e) => (e.actor === e.owner ? null : e.actor)),
      es.map((e) => e.kind ?? 'earn'),
      es.map((e) => e.expiresAt ?? null),
    ],
  );
  const balance = new Map(rows.map((r) => [r.owner, { active: r.active, pending: r.pending }]));
  return es.map((e, i) => ({ ...ids[i]!, balance: balance.get(e.owner)! }));
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
       SELECT l.id, m.active, l.points - m.used AS rem
       FROM ${LOTS_WITH_MOVES}
       WHERE l.customer_id = $1 AND l.receipt_id = $2 AND l.points > m.used),
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
  const cond = which === 'activation' ? `l.activates_at <= $2 AND NOT m.active` : `l.expires_at <= $2 AND l.points > m.used`;
  return s.query<DueLot>(
    `SELECT l.customer_id, l.id, m.active, l.points - m.used AS rem
     FROM ${LOTS_WITH_MOVES}
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
       SELECT l.expires_at, l.points - m.used AS rem FROM ${LOTS_WITH_MOVES} WHERE l.customer_id = $1 AND m.active) x
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

/** Net points moved into customers' wallets (active and pending) per transfer kind, by transfers created in [from, to). */
export async function walletFlowsByKind(q: Queryable, from: Date, to: Date): Promise<Map<string, number>> {
  const rows = await q.query<{ kind: string; net: string | number }>(
    `SELECT kind,
            (coalesce(sum(points) FILTER (WHERE left(credit_account, 7) = 'active:' OR left(credit_account, 8) = 'pending:'), 0)
           - coalesce(sum(points) FILTER (WHERE left(debit_account, 7) = 'active:' OR left(debit_account, 8) = 'pending:'), 0))::int8 AS net
     FROM loyalty.transfers WHERE created_at >= $1 AND created_at < $2 GROUP BY kind`,
    [from, to],
  );
  return new Map(rows.map((r) => [r.kind, Number(r.net)]));
}

/** Points held in all wallets (active, pending) by the transfers created before each of two instants: one scan. */
export async function outstandingAt(
  q: Queryable,
  a: Date,
  b: Date,
): Promise<{ a: { active: number; pending: number }; b: { active: number; pending: number } }> {
  const side = (t: string, acct: string) =>
    `coalesce(sum(points) FILTER (WHERE created_at < ${t} AND left(credit_account, ${acct.length}) = '${acct}'), 0)
   - coalesce(sum(points) FILTER (WHERE created_at < ${t} AND left(debit_account, ${acct.length}) = '${acct}'), 0)`;
  const rows = await q.query<Record<string, string | number>>(
    `SELECT (${side('$1', 'active:')})::int8 AS a_active, (${side('$1', 'pending:')})::int8 AS a_pending,
            (${side('$2', 'active:')})::int8 AS b_active, (${side('$2', 'pending:')})::int8 AS b_pending
     FROM loyalty.transfers WHERE created_at < greatest($1::timestamptz, $2::timestamptz)`,
    [a, b],
  );
  const r = rows[0]!;
  return {
    a: { active: Number(r.a_active), pending: Number(r.a_pending) },
    b: { active: Number(r.b_active), pending: Number(r.b_pending) },
  };
}

/**
 * What became of the lots whose expiry date is before `at`, by transfers created before it: points expired, and
 * points spent (redeemed less restored). The basis of the historical breakage rate.
 */
export async function expiredLotOutcomes(q: Queryable, at: Date): Promise<{ lots: number; expired: number; spent: number }> {
  const rows = await q.query<{ lots: number; expired: string | number; spent: string | number }>(
    `SELECT (SELECT count(*) FROM loyalty.lots WHERE expires_at < $1)::int AS lots,
            coalesce(sum(m.points) FILTER (WHERE m.kind = 'expire'), 0)::int8 AS expired,
            coalesce(sum(m.points) FILTER (WHERE m.kind IN ('redeem', 'restore')), 0)::int8 AS spent
     FROM loyalty.lots l
     JOIN loyalty.lot_moves m ON m.customer_id = l.customer_id AND m.lot_id = l.id
     JOIN loyalty.transfers t ON t.customer_id = m.customer_id AND t.id = m.transfer_id
     WHERE l.expires_at < $1 AND t.created_at < $1`,
    [at],
  );
  const r = rows[0]!;
  return { lots: r.lots, expired: Number(r.expired), spent: Number(r.spent) };
}
