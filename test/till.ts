import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { openTestDatabase } from './db.ts';
import { buildServer } from '../src/entry/server.ts';
import * as loyalty from '../src/modules/loyalty/index.ts';
import type { Database, Queryable } from '../src/platform/db/client.ts';
import { createApiKey } from '../src/platform/http/auth.ts';
import { createLogger } from '../src/platform/logger.ts';
import { CommitResponse, QuoteResponse } from '../src/flows/till/till.contract.ts';

// What the till's test files share: a database and a server of the file's own (PGlite, or PostgreSQL with
// TEST_DATABASE_URL), a key per role, the calls a till makes, and the ledger's invariant.

export const AT = '2026-03-02T10:00:00Z';

const CONTRACTS: Record<string, { parse: (x: unknown) => unknown }> = {
  '/api/v1/till/quote': QuoteResponse,
  '/api/v1/till/receipts': CommitResponse,
};

export type Line = { sku: string; category?: string; brand?: string; quantity?: string; unitPrice: string; taxRate?: string };

/** Registers the file's beforeAll and afterAll; `database` and `app` are set once beforeAll has run. */
export function tillFixture() {
  const keys: Record<string, string> = {};
  const t = {
    database: undefined as unknown as Database,
    app: undefined as unknown as FastifyInstance,
    async call(role: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown) {
      const res = await t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${keys[role]}` },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      // The quote's and the sale's answers go out unchecked (till.routes.ts): each must be its contract exactly.
      const contract = method === 'POST' && res.statusCode < 300 ? CONTRACTS[url] : undefined;
      if (contract) expect(contract.parse(res.json()), url).toEqual(res.json());
      // The answers are checked field by field; a loose type keeps those checks short.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.statusCode, body: res.json() as Record<string, any> };
    },
    basket: (card: string | null, lines: Line[], extra: Record<string, unknown> = {}) => ({
      store: 'S1',
      currency: 'RUB',
      at: AT,
      ...(card ? { customer: { kind: 'card', value: card } } : {}),
      lines,
      ...extra,
    }),
    commit: (card: string | null, lines: Line[], extra: Record<string, unknown> = {}) =>
      t.call('till', 'POST', '/api/v1/till/receipts', {
        ...t.basket(card, lines, extra),
        number: (extra.number as string) ?? `R-${++seq}`,
        occurredAt: AT,
      }),
    async issue(number: string): Promise<string> {
      const r = await t.call('admin', 'POST', '/api/v1/loyalty/cards', { number });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.customerId as string;
    },
    async points(customerId: string): Promise<{ active: number; pending: number }> {
      const r = await t.call('till', 'GET', `/api/v1/loyalty/customers/${customerId}/points`);
      return { active: r.body.active, pending: r.body.pending };
    },
    /** The ledger's invariant: every wallet's cached balance equals the sum over its transfers. */
    async expectLedgerConsistent() {
      const owners = await t.database.query<{ customer_id: string }>(`SELECT customer_id FROM loyalty.balances`);
      expect(owners.length).toBeGreaterThan(0);
      for (const { customer_id } of owners) {
        const c = await loyalty.checkBalance(t.database, customer_id);
        expect(c.cached, customer_id).toEqual(c.ledger);
      }
      await expectWholeLedgerConsistent(t.database);
    },
  };
  let seq = 0;
  beforeAll(async () => {
    t.database = await openTestDatabase();
    t.app = await buildServer(t.database, { logger: createLogger('silent'), rateLimitPerMinute: 100_000 });
    for (const role of ['admin', 'till', 'agent', 'analyst'] as const)
      keys[role] = (await createApiKey(t.database, role, `test ${role}`)).secret;
  });
  afterAll(async () => {
    await t.app?.close();
    await t.database?.close();
  });
  return t;
}

/**
 * Across the whole ledger: every transfer is between the program, breakage and wallets' accounts, and what the
 * wallets' accounts received less what they gave is what all the cached balances hold.
 */
export async function expectWholeLedgerConsistent(q: Queryable): Promise<void> {
  const [sums] = await q.query<{ strays: number; wallets: number; cached: number }>(
    `WITH moves AS (
       SELECT credit_account AS account, points FROM loyalty.transfers
       UNION ALL SELECT debit_account, -points FROM loyalty.transfers)
     SELECT count(*) FILTER (WHERE account NOT IN ('program', 'breakage') AND account !~ '^(active|pending):.')::int AS strays,
            coalesce(sum(points) FILTER (WHERE account ~ '^(active|pending):'), 0)::int AS wallets,
            (SELECT coalesce(sum(active + pending), 0)::int FROM loyalty.balances) AS cached
     FROM moves`,
  );
  expect(sums!.strays).toBe(0);
  expect(sums!.wallets).toBe(sums!.cached);
}
