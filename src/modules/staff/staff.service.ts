import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Database } from '../../platform/db/client.ts';
import { AppError, isAppError, translateDbError } from '../../platform/errors.ts';
import type { SessionLookup, SessionResolver } from '../../platform/http/auth.ts';
import { ROLES, type Role } from '../../platform/http/roles.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './staff.repository.ts';
import type { StaffUser } from './staff.contract.ts';

/** How long sessions last; the defaults are config's (PATRON_SESSION_IDLE_HOURS, PATRON_SESSION_MAX_DAYS). */
export type SessionTimeouts = { idleMs: number; absoluteMs: number };

export const MIN_PASSWORD_LENGTH = 10;

/** The first console admin that `patron serve` creates on a database without users. */
export const FIRST_ADMIN_EMAIL = 'admin@patron.local';

const Email = z.email();

/** E-mails are compared lower-cased and trimmed: people type them in any case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A random password that a person can copy: 144 bits in base64url. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

// argon2id with the library's defaults (19 MiB, 2 passes, 1 lane): OWASP's minimum recommendation for argon2id.
async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

let dummyHash: Promise<string> | undefined;

function toDto(u: repo.UserRow): StaffUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}

/** Creates a console user. Without a password, one is generated and returned (shown once, stored only as a hash). */
export async function createUser(
  database: Database,
  input: { email: string; role: Role; name?: string | undefined; password?: string | undefined },
): Promise<{ user: StaffUser; password: string; generated: boolean }> {
  const email = normalizeEmail(input.email);
  if (!Email.safeParse(email).success) {
    throw new AppError('VALIDATION_FAILED', `'${input.email}' is not an e-mail address.`, { fields: [{ field: 'email', message: 'not an e-mail address' }] });
  }
  if (!ROLES.includes(input.role)) {
    throw new AppError('VALIDATION_FAILED', `Unknown role '${input.role}'; use one of ${ROLES.join(', ')}.`, { fields: [{ field: 'role', message: 'unknown role' }] });
  }
  const generated = input.password === undefined;
  const password = input.password ?? generatePassword();
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`, { fields: [{ field: 'password', message: 'too short' }] });
  }
  const name = input.name?.trim() || email.split('@')[0]!;
  const id = newId('user');
  try {
    await repo.insertUser(database, { id, email, name, role: input.role, passwordHash: await hashPassword(password) });
  } catch (e) {
    const t = translateDbError(e);
    if (isAppError(t) && t.code === 'CONFLICT') throw new AppError('CONFLICT', `A console user with the e-mail ${email} already exists.`, { fields: [{ field: 'email', message: 'taken' }] });
    throw e;
  }
  return { user: { id, email, name, role: input.role }, password, generated };
}

export async function listUsers(database: Database): Promise<(StaffUser & { createdAt: string })[]> {
  return (await repo.listUsers(database)).map((u) => ({ ...toDto(u), createdAt: new Date(u.createdAt).toISOString() }));
}

export async function countUsers(database: Database): Promise<number> {
  return repo.countUsers(database);
}

/** Names of the users among these actor ids (the audit log's actors are API keys or users). */
export async function userNames(database: Database, ids: readonly string[]): Promise<Map<string, string>> {
  return repo.userNames(database, ids.filter((id) => id.startsWith('usr_')));
}

/**
 * Creates `admin@patron.local` with a random password when the database has no console user yet, and returns the
 * credentials to print once; returns undefined otherwise.
 */
export async function ensureFirstAdmin(database: Database): Promise<{ email: string; password: string } | undefined> {
  if ((await repo.countUsers(database)) > 0) return undefined;
  try {
    const { user, password } = await createUser(database, { email: FIRST_ADMIN_EMAIL, role: 'admin', name: 'Administrator' });
    return { email: user.email, password };
  } catch (e) {
    // Another process created it first: its banner has the password.
    if (isAppError(e) && e.code === 'CONFLICT') return undefined;
    throw e;
  }
}

/**
 * Checks an e-mail and password and opens a session. Unknown e-mails and wrong passwords get the same error after the
 * same work (an argon2 verification against a dummy hash), so neither the answer nor its timing tells which it was.
 */
export async function login(database: Database, email: string, password: string, timeouts: SessionTimeouts): Promise<{ user: StaffUser; token: string; maxAgeSeconds: number }> {
  const found = await repo.findUserWithHash(database, normalizeEmail(email));
  dummyHash ??= hashPassword(generatePassword());
  const stored = found?.passwordHash ?? (await dummyHash);
  const ok = await verify(stored, password).catch(() => false);
  if (!found || !ok) throw new AppError('AUTH_BAD_CREDENTIALS', 'The e-mail or the password is wrong.');
  await repo.deleteEndedSessions(database, found.id);
  const token = randomBytes(32).toString('base64url');
  await repo.insertSession(database, hashToken(token), found.id, timeouts.idleMs, timeouts.absoluteMs);
  return { user: toDto(found), token, maxAgeSeconds: timeouts.absoluteMs / 1000 };
}

/** The session's user, or 'expired' for a session that has ended or is unknown. An ended session is deleted. */
export async function resolveSession(database: Database, token: string, timeouts: SessionTimeouts): Promise<{ status: 'ok'; user: StaffUser } | { status: 'expired' }> {
  const h = hashToken(token);
  const s = await repo.findSession(database, h);
  if (!s) return { status: 'expired' };
  if (!s.live) {
    await repo.deleteSession(database, h);
    return { status: 'expired' };
  }
  // Writing on every request would make each console read a write; a minute's precision on the idle timeout is enough.
  if (s.touchDue) await repo.touchSession(database, h, timeouts.idleMs);
  return { status: 'ok', user: toDto(s) };
}

export async function logout(database: Database, token: string): Promise<void> {
  await repo.deleteSession(database, hashToken(token));
}

/** The resolver the HTTP app uses to authenticate requests that carry a session cookie. */
export function sessionResolver(database: Database, timeouts: SessionTimeouts): SessionResolver {
  return {
    async resolve(token: string): Promise<SessionLookup> {
      const r = await resolveSession(database, token, timeouts);
      if (r.status !== 'ok') return r;
      return { status: 'ok', principal: { keyId: r.user.id, role: r.user.role, name: r.user.name, via: 'session' } };
    },
  };
}
