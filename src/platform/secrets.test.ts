import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

// The config is read once per process, so each case loads secrets.ts afresh after setting the environment.
const dir = mkdtempSync(join(tmpdir(), 'patron-secrets-'));
const saved = { key: process.env.PATRON_SECRET_KEY, data: process.env.PATRON_DATA_DIR };

async function load(env: { key?: string; dataDir?: string }) {
  vi.resetModules();
  if (env.key === undefined) delete process.env.PATRON_SECRET_KEY;
  else process.env.PATRON_SECRET_KEY = env.key;
  process.env.PATRON_DATA_DIR = env.dataDir ?? join(dir, 'data');
  return import('./secrets.ts');
}

const HEX_KEY = 'ab'.repeat(32);
const B64_KEY = Buffer.alloc(32, 7).toString('base64');

beforeEach(() => rmSync(join(dir, 'data'), { recursive: true, force: true }));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of [
    ['PATRON_SECRET_KEY', saved.key],
    ['PATRON_DATA_DIR', saved.data],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

describe('sealed secrets', () => {
  it('tokens open only as sealed, and a server that cannot have a key stops at its start naming PATRON_SECRET_KEY', async () => {
    const s = await load({ key: HEX_KEY });
    const token = s.sealToken('{"basket":1}', 'till quote v1');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(s.openToken(token, 'till quote v1')).toBe('{"basket":1}');
    expect(s.openToken(token, 'other')).toBeNull();
    expect(s.openToken(`${token.slice(0, 20)}${token[20] === 'x' ? 'y' : 'x'}${token.slice(21)}`, 'till quote v1')).toBeNull();
    expect(s.openToken('not a token', 'till quote v1')).toBeNull();
    // No key, and a data folder that is a file: no key file can be made there.
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const none = await load({ dataDir: join(file, 'data') });
    try {
      none.ensureSecretKey();
      expect.unreachable('a key without a folder');
    } catch (e) {
      expect((e as { code: string }).code).toBe('CONFIG_INVALID');
      expect((e as Error).message).toMatch(/PATRON_SECRET_KEY is unset.*not-a-folder/);
    }
  });

  it('seal and open round-trip, with a fresh nonce each time, and the plain text nowhere in the sealed form', async () => {
    const s = await load({ key: HEX_KEY });
    const a = s.sealSecret('hook-secret-0123456789', 'campaign webhook');
    const b = s.sealSecret('hook-secret-0123456789', 'campaign webhook');
    expect(a).toMatch(/^sealed:v1:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('hook-secret');
    expect(s.openSecret(a, 'campaign webhook')).toBe('hook-secret-0123456789');
    expect(s.openSecret(b, 'campaign webhook')).toBe('hook-secret-0123456789');
  });

  it('does not open for another purpose, another key, or altered', async () => {
    const s = await load({ key: HEX_KEY });
    const sealed = s.sealSecret('hook-secret-0123456789', 'campaign webhook');
    expect(() => s.openSecret(sealed, 'something else')).toThrow(/PATRON_SECRET_KEY/);
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => s.openSecret(flipped, 'campaign webhook')).toThrow(/does not open/);
    expect(() => s.openSecret('sealed:v1:AAAA', 'campaign webhook')).toThrow(/truncated/);
    const other = await load({ key: B64_KEY });
    try {
      other.openSecret(sealed, 'campaign webhook');
      expect.unreachable('opened with another key');
    } catch (e) {
      expect((e as { code: string }).code).toBe('CONFIG_INVALID');
      expect((e as { details: { field: string } }).details.field).toBe('PATRON_SECRET_KEY');
    }
  });

  it('passes a value stored before sealing through as it is', async () => {
    const s = await load({ key: HEX_KEY });
    expect(s.isSealed('plain-old-secret-123')).toBe(false);
    expect(s.openSecret('plain-old-secret-123', 'campaign webhook')).toBe('plain-old-secret-123');
  });

  it('without PATRON_SECRET_KEY, makes a key file readable by its owner only, and keeps using it', async () => {
    const data = join(dir, 'data');
    const first = await load({ dataDir: data });
    const sealed = first.sealSecret('hook-secret-0123456789', 'campaign webhook');
    const file = join(data, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = readFileSync(file, 'utf8');
    // Another process (here: the module loaded again) finds the same key and opens what the first sealed.
    const second = await load({ dataDir: data });
    expect(second.openSecret(sealed, 'campaign webhook')).toBe('hook-secret-0123456789');
    expect(readFileSync(file, 'utf8')).toBe(written);
    // The same key given as PATRON_SECRET_KEY opens it too.
    const byEnv = await load({ key: written.trim(), dataDir: join(dir, 'elsewhere') });
    expect(byEnv.openSecret(sealed, 'campaign webhook')).toBe('hook-secret-0123456789');
  });

  it('makes the key file in the data folder the CLI uses (--data-dir), not in PATRON_DATA_DIR', async () => {
    const s = await load({ dataDir: join(dir, 'data', 'env') });
    s.useDataFolder(join(dir, 'data', 'flag'));
    s.sealSecret('hook-secret-0123456789', 'campaign webhook');
    expect(statSync(join(dir, 'data', 'flag', 'secret.key')).isFile()).toBe(true);
    expect(() => statSync(join(dir, 'data', 'env', 'secret.key'))).toThrow(/ENOENT/);
  });

  it('refuses a damaged key file, naming it, rather than making another key', async () => {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'secret.key'), 'not a key\n');
    const s = await load({ dataDir: data });
    expect(() => s.sealSecret('hook-secret-0123456789', 'campaign webhook')).toThrow(/secret\.key: not a key/);
    expect(readFileSync(join(data, 'secret.key'), 'utf8')).toBe('not a key\n');
  });

  it('reads keys as hex or base64 and refuses anything else, naming the variable', async () => {
    const s = await load({ key: HEX_KEY });
    expect(s.parseSecretKey(HEX_KEY)).toHaveLength(32);
    expect(s.parseSecretKey(B64_KEY)).toEqual(Buffer.alloc(32, 7));
    expect(s.parseSecretKey(Buffer.alloc(32, 9).toString('base64url'))).toEqual(Buffer.alloc(32, 9));
    // Standard base64 with + and / (as openssl prints it) reads the same.
    expect(s.parseSecretKey(Buffer.alloc(32, 0xfb).toString('base64'))).toEqual(Buffer.alloc(32, 0xfb));
    for (const bad of ['', 'short', 'ab'.repeat(31), 'zz'.repeat(32), Buffer.alloc(16).toString('base64')])
      expect(() => s.parseSecretKey(bad), bad).toThrow(/PATRON_SECRET_KEY: must be 32 bytes/);
    const { loadConfig } = await import('./config.ts');
    expect(() => loadConfig({ PATRON_SECRET_KEY: 'not-a-key' })).toThrow(/PATRON_SECRET_KEY/);
    expect(loadConfig({ PATRON_SECRET_KEY: B64_KEY }).secretKey).toBe(B64_KEY);
  });
});
