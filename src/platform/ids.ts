import { randomFillSync } from 'node:crypto';

/** The id prefixes in use. An id is `<prefix>_<ULID>` in lower case: unique, and sortable by its timestamp. */
export const ID_PREFIXES = {
  customer: 'cus',
  receipt: 'rcp',
  apiKey: 'key',
  importRun: 'imp',
  consent: 'cst',
  audit: 'aud',
  user: 'usr',
  jobRun: 'jrn',
  transfer: 'trf',
  lot: 'lot',
  offer: 'ofr',
  offerChange: 'och',
  experiment: 'exp',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

// Crockford's base32, as ULID specifies (no i, l, o, u).
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

// Random bytes are drawn from the OS in blocks: one syscall per 4096 ids instead of one per character.
const pool = Buffer.alloc(10 * 4096);
let poolPos = pool.length;

function randomPart(): string {
  if (poolPos + 10 > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  let out = '';
  // 80 random bits as 16 base32 characters: two 40-bit halves, 8 characters each.
  for (let half = 0; half < 2; half++) {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 256 + pool[poolPos++]!;
    for (let i = 7; i >= 0; i--) out += ALPHABET[Math.floor(v / 32 ** i) % 32];
  }
  return out;
}

function timePart(ms: number): string {
  let out = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** A ULID (26 characters, lower case): 48 bits of milliseconds then 80 random bits. */
export function ulid(at: number = Date.now()): string {
  return timePart(at) + randomPart();
}

/** A new prefixed id. `at` sets its timestamp (receipts use the time of sale, so their ids sort by it). */
export function newId(kind: IdKind, at: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${ulid(at)}`;
}

export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
