import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../../../test/db.ts';
import { PROGRAM } from '../../../test/loyalty.ts';
import { AT, tillFixture } from '../../../test/till.ts';
import type { Database, Queryable, Session } from '../../platform/db/client.ts';
import { commitGroup, quote } from './commit.ts';
import { CommitBody, QuoteBody } from './till.contract.ts';

// The till's statements run on pipelined connections with generic plans (platform/db/client.ts): each connection
// plans a statement once and keeps the plan. A plan made while a table is still small (a new deployment, a database
// whose statistics nobody refreshed: autovacuum is off on the CI's server) must not scan that table once it is large.
// The bench found one that did: looking up receipt numbers read the whole of till_receipts, for every group, so a
// commit cost more the longer the server ran. Here every statement a quote and a commit send is planned on nearly
// empty tables, as the pipelined connections plan it, and each customer-owned table must be reached by its keys.

const t = tillFixture();

/** Reference tables: a handful of rows each, read whole on purpose. Every other table grows with the customers. */
const SMALL = new Set(['program_versions', 'partners', 'ladder_cell_stats', 'offers', 'budgets', 'stores']);

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Cond'?: string; Plans?: PlanNode[] };

/** Scans of growing tables that are not bounded by an index condition: "Seq Scan on x", "full Index Scan on x". */
function unboundedScans(node: PlanNode): string[] {
  const here: string[] = [];
  const rel = node['Relation Name'];
  if (rel && !SMALL.has(rel) && node['Node Type'] !== 'ModifyTable') {
    if (node['Node Type'] === 'Seq Scan') here.push(`Seq Scan on ${rel}`);
    else if (/Index( Only)? Scan/.test(node['Node Type']) && !node['Index Cond']) here.push(`full ${node['Node Type']} on ${rel}`);
  }
  return [...here, ...(node.Plans ?? []).flatMap(unboundedScans)];
}

/**
 * How many scan nodes read each growing table. More than one means a lookup repeated per row, as when a scalar
 * subquery is referenced twice and PostgreSQL copies it into each reference.
 */
function scansPerTable(node: PlanNode, out = new Map<string, number>()): Map<string, number> {
  const rel = node['Relation Name'];
  if (rel && !SMALL.has(rel) && node['Node Type'] !== 'ModifyTable') out.set(rel, (out.get(rel) ?? 0) + 1);
  for (const child of node.Plans ?? []) scansPerTable(child, out);
  return out;
}

/** The statement's parameter as an SQL literal (PREPARE's EXECUTE takes expressions, not bound parameters). */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  const text = (x: unknown) => (x instanceof Date ? x.toISOString() : String(x));
  const element = (x: unknown) => (x === null || x === undefined ? 'NULL' : `"${text(x).replace(/(["\\])/g, '\\$1')}"`);
  return pg.escapeLiteral(Array.isArray(v) ? `{${v.map(element).join(',')}}` : text(v));
}

describe.skipIf(!onPostgres)('the till’s generic plans', () => {
  beforeAll(async () => {
    const put = await t.call('admin', 'PUT', '/api/v1/loyalty/program', { config: PROGRAM, note: 'plan tests' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // An offer with a budget and one with a per-customer limit, so that their claims are among the statements.
    for (const offer of [
      {
        name: 'Tea -10%',
        rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } },
        group: 'promo',
        budget: '1000.00',
      },
      {
        name: 'Once: tea -5%',
        rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 5 } },
        group: 'loyalty',
        perCustomerLimit: 1,
      },
    ]) {
      const r = await t.call('admin', 'POST', '/api/v1/offers', { ...offer, categories: ['grocery'] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    await t.issue('C-PLAN-A');
    await t.issue('C-PLAN-B');
    const first = await t.commit('C-PLAN-A', [{ sku: 'TV', category: 'electronics', unitPrice: '1000.00' }], { number: 'PLAN-0' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
  });

  it('reach every customer-owned table by its keys, however small the tables were when planned', async () => {
    const seen = new Map<string, unknown[]>();
    const recorded = <Q extends Queryable>(q: Q): Q =>
      Object.assign(Object.create(q) as Q, {
        query: (text: string, params?: unknown[]) => {
          if (params && params.length > 0) seen.set(text, params);
          return q.query(text, params);
        },
      });
    const db: Database = {
      ...t.database,
      batch: (fn) => t.database.batch((q) => fn(recorded(q))),
      transaction: (fn, opts) => t.database.transaction((s: Session) => fn(recorded(s)), opts),
    };
    const tea = (card: string, number: string, extra: Record<string, unknown> = {}) => ({
      ...t.basket(card, [{ sku: 'TEA', category: 'grocery', unitPrice: '100.00' }], extra),
      number,
      occurredAt: AT,
    });
    const answers = await commitGroup(db, [
      CommitBody.parse(tea('C-PLAN-A', 'PLAN-1', { redeemPoints: 10 })),
      CommitBody.parse(tea('C-PLAN-B', 'PLAN-2')),
    ]);
    for (const a of answers) expect(a, String(a)).not.toBeInstanceOf(Error);
    await quote(db, QuoteBody.parse(t.basket('C-PLAN-B', [{ sku: 'TEA', category: 'grocery', unitPrice: '100.00' }])));
    // The reads (cards, wallets, offers' budgets and uses, receipt numbers) and the writes (receipts, ledger, tiers,
    // the till's rows, budgets) were all sent.
    expect(seen.size).toBeGreaterThanOrEqual(10);

    const found: string[] = [];
    await t.database.batch(async (q) => {
      let i = 0;
      for (const [text, params] of seen) {
        const name = `plan_check_${i++}`;
        await q.query(`PREPARE ${name} AS ${text}`);
        const [row] = await q.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (FORMAT JSON) EXECUTE ${name}(${params.map(literal).join(', ')})`,
        );
        await q.query(`DEALLOCATE ${name}`);
        const plan = row!['QUERY PLAN'][0].Plan;
        const what = text.replace(/\s+/g, ' ').slice(0, 120);
        for (const scan of unboundedScans(plan)) found.push(`${scan}: ${what}`);
        for (const [rel, n] of scansPerTable(plan)) if (n > 1) found.push(`${rel} read by ${n} scans: ${what}`);
      }
    });
    expect(found).toEqual([]);
  });
});
