import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { config } from './config.ts';
import { AppError } from './errors.ts';

// Secrets that Patron must use again, so cannot hash (a campaign webhook's HMAC key), are sealed at rest with
// AES-256-GCM: a copy of the database alone does not give them away, and a sealed value moved to another purpose (or
// altered) does not open. The key is PATRON_SECRET_KEY, or a key file in the data folder made on first use.

const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_FILE = 'secret.key';

let cachedKey: { source: string; key: Buffer } | undefined;
let dataFolder: string | undefined;

/** The data folder in use when it is not PATRON_DATA_DIR (the CLI's --data-dir): the key file is made there. */
export function useDataFolder(dir: string): void {
  dataFolder = dir;
}

function invalidKey(message: string): AppError {
  return new AppError('CONFIG_INVALID', `PATRON_SECRET_KEY: ${message}`, { field: 'PATRON_SECRET_KEY' });
}

/** 32 bytes, written as 64 hex digits or as base64 (with or without padding, standard or URL-safe). */
export function parseSecretKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64url') : null;
  if (!key || key.length !== 32)
    throw invalidKey('must be 32 bytes, as 64 hex digits or 43–44 base64 characters (openssl rand -base64 32)');
  return key;
}

/**
 * The key file in the data folder, made when missing. Written to a file of its own, then linked into place: two
 * processes starting together both end up reading the one key that won, never a half-written file.
 */
function keyFromFile(dataDir: string): Buffer {
  const path = join(dataDir, KEY_FILE);
  const read = (): Buffer => {
    try {
      return parseSecretKey(readFileSync(path, 'utf8'));
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      throw new AppError('CONFIG_INVALID', `${path}: not a key (32 bytes as 64 hex digits or base64); mend it, or set PATRON_SECRET_KEY.`, {
        field: 'PATRON_SECRET_KEY',
        file: path,
      });
    }
  };
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  try {
    linkSync(draft, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(draft, { force: true });
  }
  return read();
}

/** The sealing key: PATRON_SECRET_KEY when set, else `secret.key` in the data folder (made on first use). */
function secretKey(): Buffer {
  const c = config();
  const folder = dataFolder ?? c.dataDir;
  const source = c.secretKey ?? `file:${folder}`;
  if (cachedKey?.source !== source) cachedKey = { source, key: c.secretKey ? parseSecretKey(c.secretKey) : keyFromFile(folder) };
  return cachedKey.key;
}

/**
 * Loads the sealing key now (making the key file if needed), so that a server without one stops at its start with
 * CONFIG_INVALID naming PATRON_SECRET_KEY, rather than failing its first quote.
 */
export function ensureSecretKey(): void {
  try {
    secretKey();
  } catch (e) {
    if (e instanceof AppError) throw e;
    const folder = dataFolder ?? config().dataDir;
    throw new AppError(
      'CONFIG_INVALID',
      `PATRON_SECRET_KEY is unset, and its key file cannot be made in ${folder} (${(e as Error).message}): set PATRON_SECRET_KEY, the same on every process, or make the folder writable.`,
      { field: 'PATRON_SECRET_KEY' },
    );
  }
}

/** `plain` encrypted and authenticated for `purpose` with the sealing key: IV, tag and body, in that order. */
function seal(plain: string, purpose: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secretKey(), iv);
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** What seal made, or null when it does not open (another key, another purpose, altered or truncated). */
function unseal(raw: Buffer, purpose: string): string | null {
  if (raw.length < IV_BYTES + TAG_BYTES) return null;
  const key = secretKey();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Seals `plain` for `purpose` (e.g. 'campaign webhook'): only the same key and the same purpose open it. */
export function sealSecret(plain: string, purpose: string): string {
  return PREFIX + seal(plain, purpose).toString('base64url');
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/**
 * The secret sealed by sealSecret. A value stored before secrets were sealed (no prefix) is returned as it is. A
 * sealed value that does not open (another key, another purpose, altered) is CONFIG_INVALID: every process must run
 * with the key that sealed it.
 */
export function openSecret(stored: string, purpose: string): string {
  if (!isSealed(stored)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw invalidKey(`a sealed ${purpose} secret is truncated`);
  const plain = unseal(raw, purpose);
  if (plain === null)
    throw invalidKey(
      `the ${purpose} secret does not open: sealed with another key, or altered; run every process with the key that sealed it`,
    );
  return plain;
}

/**
 * A token that Patron hands out and takes back (a till's quote): `plain` sealed for `purpose`, as base64url. Its
 * holder can neither read nor alter it; any process with the same key opens it.
 */
export function sealToken(plain: string, purpose: string): string {
  return seal(plain, purpose).toString('base64url');
}

/** The text sealToken sealed, or null when the token does not open: not one of ours, altered, or for another purpose. */
export function openToken(token: string, purpose: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  return unseal(Buffer.from(token, 'base64url'), purpose);
}
