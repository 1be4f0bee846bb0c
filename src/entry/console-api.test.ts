import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Response as InjectResponse } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, openTestDatabase } from '../../test/db.ts';
import * as staff from '../modules/staff/index.ts';
import type { Database } from '../platform/db/client.ts';
import { createApiKey } from '../platform/http/auth.ts';
import { createLogger } from '../platform/logger.ts';
import { buildServer } from './server.ts';

let database: Database;
let app: FastifyInstance;
let adminKey: string;
const PASSWORD = 'correct horse battery';
const users: Record<string, { id: string; email: string }> = {};

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildServer(database, { logger: createLogger('silent'), rateLimitPerMinute: 1000, sessionTimeouts: { idleMs: 3_600_000, absoluteMs: 86_400_000 } });
  adminKey = (await createApiKey(database, 'admin', 'test admin')).secret;
  for (const role of ['admin', 'analyst', 'partner', 'agent'] as const) {
    const { user } = await staff.createUser(database, { email: `${role}@Example.com`, role, name: `Test ${role}`, password: PASSWORD });
    users[role] = user;
  }
});

afterAll(async () => {
  await app?.close();
  await database?.close();
});

type Res = InjectResponse;

function expectProblem(res: Res, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.json().code).toBe(code);
  expect(res.body).not.toMatch(/at .*\.ts:\d+|node_modules|stack/i);
}

async function login(email: string, password = PASSWORD): Promise<Res> {
  return (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } }));
}

async function sessionOf(role: string): Promise<string> {
  const res = await login(users[role]!.email);
  expect(res.statusCode, res.body).toBe(200);
  return res.cookies.find((c) => c.name === 'patron_session')!.value;
}

function withCookie(token: string, method: 'GET' | 'POST' | 'PATCH', url: string, opts: { body?: unknown; csrf?: boolean } = {}) {
  return app.inject({
    method,
    url,
    cookies: { patron_session: token },
    headers: opts.csrf ? { 'x-patron-console': '1' } : {},
    ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
}

describe('console accounts', () => {
  it('stores e-mails lower-cased and passwords as argon2id hashes', async () => {
    const rows = await database.query<{ email: string; password_hash: string }>(`SELECT email, password_hash FROM staff.users WHERE id = $1`, [users.admin!.id]);
    expect(rows[0]!.email).toBe('admin@example.com');
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    await expect(staff.createUser(database, { email: 'ADMIN@example.com', role: 'admin', password: PASSWORD })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('logs in with an HttpOnly, SameSite=Lax cookie, answers /me, and logs out', async () => {
    const res = await login('  Admin@EXAMPLE.com ');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ user: { id: users.admin!.id, email: 'admin@example.com', name: 'Test admin', role: 'admin' } });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^patron_session=[\w-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    const token = res.cookies.find((c) => c.name === 'patron_session')!.value;
    // Only the token's SHA-256 is stored.
    const stored = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM staff.sessions WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`, [token]);
    expect(stored[0]!.n).toBe(1);

    const me = await withCookie(token, 'GET', '/api/v1/auth/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().user.role).toBe('admin');

    expectProblem(await withCookie(token, 'POST', '/api/v1/auth/logout'), 403, 'AUTH_CSRF');
    const out = await withCookie(token, 'POST', '/api/v1/auth/logout', { csrf: true });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/patron_session=;.*Expires=Thu, 01 Jan 1970/);
    expectProblem(await withCookie(token, 'GET', '/api/v1/auth/me'), 401, 'AUTH_SESSION_EXPIRED');
    expectProblem(await withCookie(token, 'GET', '/api/v1/stores'), 401, 'AUTH_SESSION_EXPIRED');
  });

  it('answers a wrong password and an unknown e-mail alike, and no cookie with AUTH_MISSING_KEY', async () => {
    const wrong = await login('admin@example.com', 'not the password');
    expectProblem(wrong, 401, 'AUTH_BAD_CREDENTIALS');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const unknown = await login('nobody@example.com', PASSWORD);
    expectProblem(unknown, 401, 'AUTH_BAD_CREDENTIALS');
    expect(unknown.json().message).toBe(wrong.json().message);
    expectProblem((await app.inject({ method: 'GET', url: '/api/v1/auth/me' })), 401, 'AUTH_MISSING_KEY');
    expectProblem((await app.inject({ method: 'GET', url: '/api/v1/stores' })), 401, 'AUTH_MISSING_KEY');
  });

  it('limits login attempts per address and e-mail', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login('agent@example.com', `guess ${i}`)).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expectProblem(await login('agent@example.com', PASSWORD), 429, 'RATE_LIMITED');
    // Another e-mail from the same address is not affected.
    expect((await login('analyst@example.com')).statusCode).toBe(200);
  });

  it('ends a session whose expiry has passed', async () => {
    const token = await sessionOf('analyst');
    expect((await withCookie(token, 'GET', '/api/v1/auth/me')).statusCode).toBe(200);
    await database.query(`UPDATE staff.sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`, [token]);
    expectProblem(await withCookie(token, 'GET', '/api/v1/auth/me'), 401, 'AUTH_SESSION_EXPIRED');
    expectProblem(await withCookie(token, 'GET', '/api/v1/segments/grid'), 401, 'AUTH_SESSION_EXPIRED');
  });

  it("gives the session the user's role: a role without access gets 403", async () => {
    const partner = await sessionOf('partner');
    expectProblem(await withCookie(partner, 'GET', '/api/v1/customers?q=a'), 403, 'AUTH_FORBIDDEN');
    expectProblem(await withCookie(partner, 'GET', '/api/v1/imports'), 403, 'AUTH_FORBIDDEN');
    expectProblem(await withCookie(partner, 'GET', '/api/v1/console/overview'), 403, 'AUTH_FORBIDDEN');
    expect((await withCookie(partner, 'GET', '/api/v1/stores')).statusCode).toBe(200);
  });

  it('requires the console header on cookie writes but not on API-key writes, and audits the user as the actor', async () => {
    const token = await sessionOf('admin');
    const body = { fullName: 'Vera', identities: [{ kind: 'card', value: 'CONSOLE-1' }] };
    expectProblem(await withCookie(token, 'POST', '/api/v1/customers', { body }), 403, 'AUTH_CSRF');
    const created = await withCookie(token, 'POST', '/api/v1/customers', { body, csrf: true });
    expect(created.statusCode, created.body).toBe(201);
    const byKey = await app.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${adminKey}` }, payload: { identities: [{ kind: 'card', value: 'CONSOLE-2' }] } });
    expect(byKey.statusCode, byKey.body).toBe(201);

    const id = created.json().id as string;
    const read = await withCookie(token, 'GET', `/api/v1/customers/${id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().fullName).toBe('Vera');
    const rows = await database.query<{ actor: string; action: string }>(`SELECT actor, action FROM platform.audit_log WHERE customer_id = $1 AND action = 'customer.read'`, [id]);
    expect(rows).toEqual([{ actor: users.admin!.id, action: 'customer.read' }]);
    const trail = await withCookie(token, 'GET', `/api/v1/customers/${id}/audit`);
    expect(trail.json().entries).toContainEqual(expect.objectContaining({ actor: users.admin!.id, actorName: 'Test admin', action: 'customer.read' }));
  });
});

/** CDNOW sample rows as the canonical receipts CSV, in USD, which no other test of this file uses. */
function cdnowRows(n: number): { customer: string; date: string; cents: number; amount: string }[] {
  const lines = readFileSync(join(SHARED_DATA, 'cdnow/CDNOW_sample.txt'), 'utf8').trim().split('\n').slice(0, n);
  return lines.map((l) => {
    const [, sampleId, d, , amount] = l.trim().split(/\s+/) as [string, string, string, string, string];
    return { customer: String(Number(sampleId)), date: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, cents: Math.round(Number(amount) * 100), amount };
  });
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

describe('imports from the console, and the overview', () => {
  const rows = cdnowRows(400);
  const csv = ['customer_id,date,amount,currency', ...rows.map((r) => `${r.customer},${r.date},${r.amount},USD`), '9001,1997-02-30,10.00,USD', '9002,1997-03-01,ten,USD', ''].join('\n');

  async function waitForRun(token: string, id: string) {
    for (let i = 0; i < 600; i++) {
      const res = await withCookie(token, 'GET', `/api/v1/imports/${id}`);
      expect(res.statusCode, res.body).toBe(200);
      if (res.json().status !== 'running') return res.json();
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`import ${id} did not finish`);
  }

  it('uploads a receipts CSV, runs it in the background, and serves its rejects', async () => {
    const token = await sessionOf('analyst');
    const noCsrf = await app.inject({ method: 'POST', url: '/api/v1/imports?format=receipts', cookies: { patron_session: token }, headers: { 'content-type': 'text/csv' }, payload: csv });
    expectProblem(noCsrf, 403, 'AUTH_CSRF');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/imports?format=receipts&fileName=cdnow%20sample.csv',
      cookies: { patron_session: token },
      headers: { 'content-type': 'text/csv', 'x-patron-console': '1' },
      payload: csv,
    });
    expect(res.statusCode, res.body).toBe(202);
    const { id, status } = res.json();
    expect(status).toBe('running');
    expect(id).toMatch(/^imp_/);

    const run = await waitForRun(token, id);
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ id, format: 'receipts', fileName: 'cdnow_sample.csv', status: 'done' });
    expect(run.progress).toMatchObject({ bytesRead: Buffer.byteLength(csv), totalBytes: Buffer.byteLength(csv), linesRead: 402, receiptsCreated: 400 });
    expect(run.summary).toMatchObject({ importRunId: id, linesRead: 402, linesRejected: 2, receiptsCreated: 400 });

    const list = await withCookie(token, 'GET', '/api/v1/imports');
    expect(list.json().runs[0]).toMatchObject({ id, status: 'done' });

    const rejects = await withCookie(token, 'GET', `/api/v1/imports/${id}/rejects`);
    expect(rejects.statusCode).toBe(200);
    expect(String(rejects.headers['content-type'])).toContain('text/csv');
    const rejectLines = rejects.body.trim().split('\n');
    expect(rejectLines[0]).toBe('line,field,reason,customer_id,date,amount,currency');
    expect(rejectLines).toHaveLength(3);
    expect(rejects.body).toContain('1997-02-30');
    expect(rejects.body).toContain('ten');
  });

  it('reports a failed upload with its message, and 404 for rejects of a clean run and for unknown runs', async () => {
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'text/csv' };
    const bad = await app.inject({ method: 'POST', url: '/api/v1/imports?format=receipts', headers, payload: 'foo,bar\n1,2\n' });
    expect(bad.statusCode, bad.body).toBe(202);
    const token = await sessionOf('admin');
    const failed = await waitForRun(token, bad.json().id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/customer_id|column/);
    expect(failed.summary).toBeNull();

    const clean = await app.inject({ method: 'POST', url: '/api/v1/imports?format=receipts', headers, payload: 'customer_id,date,amount,currency\n9100,1996-01-05,1.00,USD\n' });
    const done = await waitForRun(token, clean.json().id);
    expect(done.status).toBe('done');
    expectProblem(await withCookie(token, 'GET', `/api/v1/imports/${done.id}/rejects`), 404, 'IMPORT_NO_REJECTS');
    expectProblem(await withCookie(token, 'GET', '/api/v1/imports/imp_nothing'), 404, 'IMPORT_RUN_NOT_FOUND');
    expectProblem((await app.inject({ method: 'POST', url: '/api/v1/imports?format=receipts', headers, payload: '' })), 400, 'VALIDATION_FAILED');
    expectProblem((await app.inject({ method: 'POST', url: '/api/v1/imports?format=xml', headers, payload: 'a' })), 400, 'VALIDATION_FAILED');
  });

  it('computes the overview figures as a hand count over the same rows does', async () => {
    const token = await sessionOf('analyst');
    const all = [...rows.filter((r) => r.cents > 0), { customer: '9100', date: '1996-01-05', cents: 100, amount: '1.00' }];
    for (const asOf of ['1998-03-31', '1997-06-30']) {
      const upTo = all.filter((r) => r.date <= asOf);
      const inDays = (days: number, offset = 0) => (r: { date: string }) => r.date >= addDays(asOf, -(days - 1) - offset) && r.date <= addDays(asOf, -offset);
      const year = upTo.filter(inDays(365));
      const before = upTo.filter(inDays(365, 365));
      const cents = (xs: { cents: number }[]) => (xs.reduce((s, r) => s + r.cents, 0) / 100).toFixed(2);
      const expected = {
        asOf,
        currency: 'USD',
        customers: new Set(upTo.map((r) => r.customer)).size,
        activeCustomers: new Set(upTo.filter(inDays(90)).map((r) => r.customer)).size,
        revenue: cents(year),
        revenuePrevious: cents(before),
        receipts: year.length,
      };
      expect(expected.revenue).not.toBe('0.00');
      const res = await withCookie(token, 'GET', `/api/v1/console/overview?asOf=${asOf}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual(expected);
    }
    // Without asOf: the date of the latest purchase.
    const latest = all.map((r) => r.date).sort().at(-1);
    const res = await app.inject({ method: 'GET', url: '/api/v1/console/overview', headers: { authorization: `Bearer ${adminKey}` } });
    expect(res.json()).toMatchObject({ asOf: latest, currency: 'USD' });
    // The console's context names the same default date, for any role, from one cheap query.
    const ctx = await app.inject({ method: 'GET', url: '/api/v1/console/context', headers: { authorization: `Bearer ${adminKey}` } });
    expect(ctx.json()).toEqual({ defaultAsOf: latest });
    // The R×F report defaults to the same date, so the overview asks for both at once, and says which date it used.
    const rfm = await app.inject({ method: 'GET', url: '/api/v1/segments/rfm', headers: { authorization: `Bearer ${adminKey}` } });
    expect(rfm.statusCode, rfm.body).toBe(200);
    expect(rfm.json()).toMatchObject({ asOf: latest, customers: new Set(all.map((r) => r.customer)).size });
  });
});
