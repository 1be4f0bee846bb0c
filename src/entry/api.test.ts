import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/db.ts';
import type { Database } from '../platform/db/client.ts';
import { createApiKey } from '../platform/http/auth.ts';
import { createLogger } from '../platform/logger.ts';
import { buildServer } from './server.ts';

let database: Database;
let app: FastifyInstance;
const keys: Record<string, string> = {};

beforeAll(async () => {
  database = await openTestDatabase();
  app = await buildServer(database, { logger: createLogger('silent'), rateLimitPerMinute: 1000 });
  for (const role of ['admin', 'analyst', 'till', 'agent', 'partner'] as const) {
    keys[role] = (await createApiKey(database, role, `test ${role}`)).secret;
  }
});

afterAll(async () => {
  await app?.close();
  await database?.close();
});

function call(role: string | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  return app.inject({
    method,
    url,
    headers: role ? { authorization: `Bearer ${keys[role] ?? role}` } : {},
    ...(body !== undefined ? { payload: body as object } : {}),
  });
}

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const p = JSON.parse(res.body);
  expect(p.code).toBe(code);
  expect(p.status).toBe(status);
  expect(typeof p.requestId).toBe('string');
  expect(res.body).not.toMatch(/at .*\.ts:\d+|node_modules|stack/i);
  return p;
}

describe('API basics', () => {
  it('serves /healthz and an OpenAPI 3.1 document generated from the zod schemas', async () => {
    const h = await app.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toMatchObject({ status: 'ok', database: database.kind });
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/customers', '/api/v1/receipts', '/api/v1/customers/{id}/360']));
    const body = doc.paths['/api/v1/receipts'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['store', 'number', 'occurredAt', 'currency', 'lines']));
  });

  it('answers a missing key with 401, a wrong key with 401 and a role without access with 403', async () => {
    expectProblem(await call(null, 'GET', '/api/v1/customers?q=a'), 401, 'AUTH_MISSING_KEY');
    expectProblem(await call('ptr_not-a-key', 'GET', '/api/v1/customers?q=a'), 401, 'AUTH_INVALID_KEY');
    expectProblem(await call('partner', 'GET', '/api/v1/customers?q=a'), 403, 'AUTH_FORBIDDEN');
    expectProblem(await call('till', 'POST', '/api/v1/keys', { role: 'admin', name: 'x' }), 403, 'AUTH_FORBIDDEN');
  });

  it('answers unknown routes and unknown ids with 404', async () => {
    expectProblem(await call('admin', 'GET', '/api/v1/nothing-here'), 404, 'NOT_FOUND');
    expectProblem(await call('admin', 'GET', '/api/v1/customers/cus_00000000000000000000000000'), 404, 'CUSTOMERS_NOT_FOUND');
    expectProblem(await call('admin', 'GET', '/api/v1/customers/lookup?kind=card&value=NOPE1234'), 404, 'CUSTOMERS_NOT_FOUND');
    expectProblem(await call('admin', 'GET', '/api/v1/receipts/s1/none'), 404, 'SALES_RECEIPT_NOT_FOUND');
  });

  it('answers bad bodies with 400 naming the field', async () => {
    let p = expectProblem(await call('admin', 'POST', '/api/v1/customers', { identities: [] }), 400, 'VALIDATION_FAILED');
    expect(p.fields[0].field).toBe('body.identities');
    p = expectProblem(await call('admin', 'POST', '/api/v1/customers', { identities: [{ kind: 'email', value: 'not-an-email' }] }), 400, 'VALIDATION_FAILED');
    expect(p.fields[0].field).toBe('identities.0.value');
    p = expectProblem(await call('admin', 'POST', '/api/v1/customers', { identities: [{ kind: 'card', value: '12345' }], shoeSize: 44 }), 400, 'VALIDATION_FAILED');
    expect(p.message).toMatch(/shoeSize/);
    p = expectProblem(
      await call('till', 'POST', '/api/v1/receipts', { store: 's1', number: '1', occurredAt: '2024-01-01T10:00:00Z', currency: 'GBP', lines: [{ unitPrice: 'ten' }] }),
      400,
      'VALIDATION_FAILED',
    );
    expect(p.fields[0].field).toBe('body.lines.0.unitPrice');
    p = expectProblem(
      await call('till', 'POST', '/api/v1/receipts', { store: 's1', number: '1', occurredAt: '2024-01-01T10:00:00Z', currency: 'XYZ', lines: [{ unitPrice: '1' }] }),
      400,
      'SALES_UNKNOWN_CURRENCY',
    );
    expect(p.fields[0].field).toBe('currency');
    const raw = await app.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' }, payload: '{"identities": [' });
    expectProblem(raw, 400, 'VALIDATION_FAILED');
  });
});

describe('customers', () => {
  it('creates, looks up by any identity, updates and rejects a taken identity', async () => {
    const res = await call('agent', 'POST', '/api/v1/customers', {
      fullName: 'Anna Petrova',
      identities: [
        { kind: 'card', value: 'c-1001' },
        { kind: 'phone', value: '+7 (916) 555-01-01' },
        { kind: 'email', value: ' Anna@Example.com' },
      ],
      consents: [{ channel: 'email', granted: true, source: 'till:S1', givenAt: '2024-03-01T12:00:00Z' }],
    });
    expect(res.statusCode).toBe(201);
    const anna = res.json();
    expect(anna.id).toMatch(/^cus_[0-9a-z]{26}$/);
    expect(anna.identities).toEqual(
      expect.arrayContaining([
        { kind: 'card', value: 'C-1001' },
        { kind: 'phone', value: '+79165550101' },
        { kind: 'email', value: 'anna@example.com' },
      ]),
    );
    expect(anna.consents).toEqual([{ channel: 'email', granted: true, source: 'till:S1', givenAt: '2024-03-01T12:00:00.000Z' }]);

    for (const [kind, value] of [['card', 'C-1001'], ['phone', '+7 916 555 0101'], ['email', 'ANNA@example.com']]) {
      const found = await call('agent', 'GET', `/api/v1/customers/lookup?kind=${kind}&value=${encodeURIComponent(value!)}`);
      expect(found.statusCode, `${kind} ${value}`).toBe(200);
      expect(found.json().id).toBe(anna.id);
    }
    const taken = await call('agent', 'POST', '/api/v1/customers', { identities: [{ kind: 'card', value: 'C-1001' }] });
    expectProblem(taken, 409, 'CUSTOMERS_IDENTITY_TAKEN');

    const upd = await call('agent', 'PATCH', `/api/v1/customers/${anna.id}`, {
      fullName: 'Anna Ivanova',
      addIdentities: [{ kind: 'card', value: 'C-1002' }],
      consents: [{ channel: 'email', granted: false, source: 'web' }],
    });
    expect(upd.statusCode).toBe(200);
    expect(upd.json().fullName).toBe('Anna Ivanova');
    expect(upd.json().consents[0].granted).toBe(false);
    expect(upd.json().identities).toContainEqual({ kind: 'card', value: 'C-1002' });

    const search = await call('agent', 'GET', '/api/v1/customers?q=ivanova');
    expect(search.json().customers.map((c: { id: string }) => c.id)).toContain(anna.id);
  });

  it('masks personal data for roles without access, and audits every read by roles with it', async () => {
    const created = (await call('admin', 'POST', '/api/v1/customers', { fullName: 'Boris', identities: [{ kind: 'phone', value: '+447700900123' }] })).json();
    const before = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.audit_log WHERE customer_id = $1`, [created.id]);
    const asAnalyst = (await call('analyst', 'GET', `/api/v1/customers/${created.id}`)).json();
    expect(asAnalyst.fullName).toBeNull();
    expect(asAnalyst.identities[0].value).toBe('•••••••••0123');
    const asAgent = (await call('agent', 'GET', `/api/v1/customers/${created.id}`)).json();
    expect(asAgent.fullName).toBe('Boris');
    const after = await database.query<{ n: number; action: string }>(
      `SELECT count(*)::int AS n, max(action) AS action FROM platform.audit_log WHERE customer_id = $1`,
      [created.id],
    );
    expect(after[0]!.n).toBe(before[0]!.n + 1);
    expect(after[0]!.action).toBe('customer.read');
    const trail = (await call('admin', 'GET', `/api/v1/customers/${created.id}/audit`)).json();
    expect(trail.entries[0]).toMatchObject({ action: 'customer.read', actorName: 'test agent' });
    expectProblem(await call('agent', 'GET', `/api/v1/customers/${created.id}/audit`), 403, 'AUTH_FORBIDDEN');
  });
});

describe('receipts', () => {
  const receipt = {
    store: 'S1',
    number: 'R-0001',
    customer: { kind: 'card', value: 'CARD-9' },
    occurredAt: '2024-05-01T10:15:00+03:00',
    currency: 'RUB',
    lines: [
      { sku: 'MILK', quantity: '2', unitPrice: '89.90' },
      { sku: 'CHEESE', quantity: '0.254', unitPrice: '1299.00' },
    ],
  };

  it('stores a receipt once: a replay answers with the stored receipt, different content is a conflict', async () => {
    const first = await call('till', 'POST', '/api/v1/receipts', receipt);
    expect(first.statusCode).toBe(201);
    const r = first.json();
    expect(r.replayed).toBe(false);
    // 2 × 89.90 + 0.254 × 1299.00 = 179.80 + 329.946 → 329.95 (half-even to kopecks) = 509.75
    expect(r.receipt.total).toBe('509.75');
    expect(r.receipt.lines.map((l: { amount: string }) => l.amount)).toEqual(['179.80', '329.95']);
    const again = await call('till', 'POST', '/api/v1/receipts', receipt);
    expect(again.statusCode).toBe(200);
    expect(again.json().replayed).toBe(true);
    expect(again.json().receipt.id).toBe(r.receipt.id);
    const changed = await call('till', 'POST', '/api/v1/receipts', { ...receipt, lines: [{ sku: 'MILK', quantity: '3', unitPrice: '89.90' }] });
    expectProblem(changed, 409, 'SALES_RECEIPT_CONFLICT');
    const n = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM sales.receipts WHERE store_code = 'S1' AND number = 'R-0001'`);
    expect(n[0]!.n).toBe(1);
  });

  it('registers an unknown card, links a return to its sale, and shows both in the 360 view', async () => {
    const lookup = (await call('agent', 'GET', '/api/v1/customers/lookup?kind=card&value=CARD-9')).json();
    const ret = await call('till', 'POST', '/api/v1/receipts', {
      store: 'S1',
      number: 'R-0002',
      kind: 'return',
      originalReceipt: { store: 'S1', number: 'R-0001' },
      occurredAt: '2024-05-03T09:00:00Z',
      currency: 'RUB',
      lines: [{ sku: 'MILK', quantity: '1', unitPrice: '89.90' }],
    });
    expect(ret.statusCode).toBe(201);
    expect(ret.json().receipt.customerId).toBe(lookup.id);
    expect(ret.json().receipt.total).toBe('-89.90');
    const view = (await call('agent', 'GET', `/api/v1/customers/${lookup.id}/360?limit=1`)).json();
    expect(view.totals).toEqual([
      expect.objectContaining({ currency: 'RUB', receipts: 1, returns: 1, revenue: '509.75', returnsAmount: '89.90', firstPurchaseAt: '2024-05-01T07:15:00.000Z' }),
    ]);
    expect(view.timeline.receipts).toHaveLength(1);
    expect(view.timeline.receipts[0].number).toBe('R-0002');
    // In no campaign yet (campaigns.test.ts covers a treated and a control member).
    expect(view.campaigns).toEqual([]);
    const next = (await call('agent', 'GET', `/api/v1/customers/${lookup.id}/360?limit=1&cursor=${view.timeline.nextCursor}`)).json();
    expect(next.timeline.receipts[0].number).toBe('R-0001');
    expect(next.timeline.nextCursor).toBeNull();
    expectProblem(await call('agent', 'GET', `/api/v1/customers/${lookup.id}/360?cursor=garbage`), 400, 'VALIDATION_FAILED');
  });

  it('merges two customers keeping both histories, and erases personal data but keeps receipts', async () => {
    const a = (await call('admin', 'POST', '/api/v1/customers', { identities: [{ kind: 'card', value: 'MERGE-A' }] })).json();
    await call('till', 'POST', '/api/v1/receipts', { ...receipt, number: 'M-1', customer: { kind: 'card', value: 'MERGE-A' } });
    await call('till', 'POST', '/api/v1/receipts', { ...receipt, number: 'M-2', customer: { kind: 'card', value: 'MERGE-B' } });
    const b = (await call('admin', 'GET', '/api/v1/customers/lookup?kind=card&value=MERGE-B')).json();
    const merged = await call('agent', 'POST', `/api/v1/customers/${a.id}/merge`, { from: b.id });
    expect(merged.statusCode).toBe(200);
    expect(merged.json().receiptsMoved).toBe(1);
    expect(merged.json().customer.identities).toEqual(expect.arrayContaining([{ kind: 'card', value: 'MERGE-A' }, { kind: 'card', value: 'MERGE-B' }]));
    const view = (await call('admin', 'GET', `/api/v1/customers/${a.id}/360`)).json();
    expect(view.totals[0].receipts).toBe(2);
    const gone = (await call('admin', 'GET', `/api/v1/customers/${b.id}`)).json();
    expect(gone).toMatchObject({ status: 'merged', mergedInto: a.id });
    // The merged receipt is still found by its store and number, now under the survivor.
    expect((await call('admin', 'GET', '/api/v1/receipts/S1/M-2')).json().customerId).toBe(a.id);

    const erased = await call('admin', 'POST', `/api/v1/customers/${a.id}/erase`);
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ status: 'erased', identities: [], fullName: null });
    expectProblem(await call('admin', 'GET', '/api/v1/customers/lookup?kind=card&value=MERGE-A'), 404, 'CUSTOMERS_NOT_FOUND');
    const kept = (await call('admin', 'GET', `/api/v1/customers/${a.id}/360`)).json();
    expect(kept.totals[0].receipts).toBe(2);
  });
});

describe('rate limits', () => {
  it('limits requests per key', async () => {
    const limited = await buildServer(database, { logger: createLogger('silent'), rateLimitPerMinute: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        codes.push((await limited.inject({ method: 'GET', url: '/api/v1/keys', headers: { authorization: `Bearer ${keys.admin}` } })).statusCode);
      }
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const other = await limited.inject({ method: 'GET', url: '/api/v1/customers?q=x', headers: { authorization: `Bearer ${keys.agent}` } });
      expect(other.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('internal errors', () => {
  it('answers 500 with a request id and no internals when the database is gone', async () => {
    const lost = await openTestDatabase();
    const key = (await createApiKey(lost, 'admin', 'doomed')).secret;
    const server = await buildServer(lost, { logger: createLogger('silent'), rateLimitPerMinute: 100 });
    try {
      // Warm the key cache, then lose the database under the running server.
      expect((await server.inject({ method: 'GET', url: '/api/v1/stores', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
      await lost.close();
      const res = await server.inject({ method: 'GET', url: '/api/v1/customers?q=anna', headers: { authorization: `Bearer ${key}` } });
      const p = expectProblem(res, 500, 'INTERNAL');
      expect(p.message).toBe('Internal error; see the server log for this request id.');
      expect(res.body).not.toMatch(/pglite|postgres|closed|ECONN|SELECT/i);
    } finally {
      await server.close();
    }
  });
});
