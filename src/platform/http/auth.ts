import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { ROLES, type Role } from './roles.ts';

/** The roles an API key (or a console user) can have. */
export { ROLES, type Role };

/** Roles that may read a person's identities and personal fields. Every such read is audited. */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['admin', 'agent'];

/**
 * Who is calling. `keyId` is the actor recorded in the audit log: the API key's id, or the staff user's id (`usr_…`)
 * when the request came with a console session cookie.
 */
export type Principal = { keyId: string; role: Role; name: string; via?: 'apiKey' | 'session' };

/** The console's session cookie. Its value is a random token; only its SHA-256 is stored. */
export const SESSION_COOKIE = 'patron_session';

/** What a session cookie resolves to. An unknown token counts as ended: expired sessions are purged. */
export type SessionLookup = { status: 'ok'; principal: Principal } | { status: 'expired' };

/**
 * Resolves console session tokens. The staff module implements it and the composition root hands it to the app, so
 * the platform checks cookies without knowing the module.
 */
export interface SessionResolver {
  resolve(token: string): Promise<SessionLookup>;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Creates a key and returns its secret, which is shown once and stored only as a hash. */
export async function createApiKey(database: Database, role: Role, name: string): Promise<{ id: string; secret: string; role: Role; name: string }> {
  if (!ROLES.includes(role)) {
    throw new AppError('VALIDATION_FAILED', `Unknown role '${role}'; use one of ${ROLES.join(', ')}.`, { fields: [{ field: 'role', message: 'unknown role' }] });
  }
  const id = newId('apiKey');
  const secret = `ptr_${randomBytes(32).toString('base64url')}`;
  await database.query(
    `INSERT INTO platform.api_keys (id, name, role, secret_hash, display_prefix) VALUES ($1, $2, $3, $4, $5)`,
    [id, name, role, hashSecret(secret), secret.slice(0, 10)],
  );
  return { id, secret, role, name };
}

export async function listApiKeys(database: Database) {
  return database.query<{ id: string; name: string; role: Role; displayPrefix: string; createdAt: Date; revokedAt: Date | null }>(
    `SELECT id, name, role, display_prefix AS "displayPrefix", created_at AS "createdAt", revoked_at AS "revokedAt"
     FROM platform.api_keys ORDER BY id`,
  );
}

export async function revokeApiKey(database: Database, id: string): Promise<boolean> {
  const rows = await database.query(`UPDATE platform.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`, [id]);
  return rows.length > 0;
}

export async function countActiveAdminKeys(database: Database): Promise<number> {
  const rows = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.api_keys WHERE role = 'admin' AND revoked_at IS NULL`);
  return rows[0]?.n ?? 0;
}

/**
 * Resolves secrets to principals. Hits are cached for `ttlMs` so that the till's hot path does not read the key table
 * on every request; a revoked key therefore stops working within that time on every API process.
 */
export class KeyResolver {
  private cache = new Map<string, { p: Principal | null; at: number }>();

  constructor(
    private readonly database: Database,
    private readonly ttlMs = 30_000,
  ) {}

  async resolve(secret: string): Promise<Principal | null> {
    const hash = hashSecret(secret);
    const hit = this.cache.get(hash);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.p;
    const rows = await this.database.query<{ id: string; role: Role; name: string }>(
      `SELECT id, role, name FROM platform.api_keys WHERE secret_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    const r = rows[0];
    const p: Principal | null = r ? { keyId: r.id, role: r.role, name: r.name, via: 'apiKey' } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { p, at: Date.now() });
    return p;
  }
}

/** Appends one audit row per customer whose personal data a principal has just read. One statement per request. */
export async function auditPersonalDataRead(
  database: Database,
  principal: Principal,
  action: string,
  customerIds: readonly string[],
  requestId: string,
): Promise<void> {
  if (customerIds.length === 0) return;
  await database.query(
    `INSERT INTO platform.audit_log (customer_id, id, actor, action, request_id)
     SELECT c, $2 || lpad(o::text, 4, '0'), $3, $4, $5 FROM unnest($1::text[]) WITH ORDINALITY AS t(c, o)`,
    [customerIds, newId('audit'), principal.keyId, action, requestId],
  );
}
