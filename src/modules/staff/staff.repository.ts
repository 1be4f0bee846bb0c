import type { Queryable } from '../../platform/db/client.ts';
import type { Role } from '../../platform/http/roles.ts';

export type UserRow = { id: string; email: string; name: string; role: Role; createdAt: Date };

const USER_COLUMNS = `id, email, name, role, created_at AS "createdAt"`;

export async function insertUser(q: Queryable, u: { id: string; email: string; name: string; role: Role; passwordHash: string }): Promise<void> {
  await q.query(`INSERT INTO staff.users (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)`, [u.id, u.email, u.name, u.role, u.passwordHash]);
}

export async function findUserWithHash(q: Queryable, email: string): Promise<(UserRow & { passwordHash: string }) | undefined> {
  const rows = await q.query<UserRow & { passwordHash: string }>(`SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM staff.users WHERE email = $1`, [email]);
  return rows[0];
}

export async function listUsers(q: Queryable): Promise<UserRow[]> {
  return q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM staff.users ORDER BY id`);
}

export async function countUsers(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM staff.users`);
  return rows[0]?.n ?? 0;
}

export async function userNames(q: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; name: string }>(`SELECT id, name FROM staff.users WHERE id = ANY($1::text[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function insertSession(q: Queryable, tokenHash: string, userId: string, idleMs: number, absoluteMs: number): Promise<void> {
  await q.query(
    `INSERT INTO staff.sessions (token_hash, user_id, idle_expires_at, expires_at)
     VALUES ($1, $2, now() + $3 * interval '1 millisecond', now() + $4 * interval '1 millisecond')`,
    [tokenHash, userId, idleMs, absoluteMs],
  );
}

export type SessionRow = UserRow & { live: boolean; touchDue: boolean };

/** The session's user, whether it is still live, and whether its idle expiry is due to be pushed forward. */
export async function findSession(q: Queryable, tokenHash: string): Promise<SessionRow | undefined> {
  const rows = await q.query<SessionRow>(
    `SELECT u.id, u.email, u.name, u.role, u.created_at AS "createdAt",
            now() < least(s.idle_expires_at, s.expires_at) AS live,
            s.last_seen_at < now() - interval '1 minute' AS "touchDue"
     FROM staff.sessions s JOIN staff.users u ON u.id = s.user_id WHERE s.token_hash = $1`,
    [tokenHash],
  );
  return rows[0];
}

/** Pushes the idle expiry forward, never past the absolute one. */
export async function touchSession(q: Queryable, tokenHash: string, idleMs: number): Promise<void> {
  await q.query(
    `UPDATE staff.sessions SET last_seen_at = now(), idle_expires_at = least(now() + $2 * interval '1 millisecond', expires_at) WHERE token_hash = $1`,
    [tokenHash, idleMs],
  );
}

export async function deleteSession(q: Queryable, tokenHash: string): Promise<void> {
  await q.query(`DELETE FROM staff.sessions WHERE token_hash = $1`, [tokenHash]);
}

export async function deleteEndedSessions(q: Queryable, userId: string): Promise<void> {
  await q.query(`DELETE FROM staff.sessions WHERE user_id = $1 AND now() >= least(idle_expires_at, expires_at)`, [userId]);
}
