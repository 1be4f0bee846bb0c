import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCli, lastJson } from '../../../test/cli.ts';
import { openTestDatabase } from '../../../test/db.ts';
import { PROGRAM } from '../../../test/loyalty.ts';
import { formatPnl } from '../../entry/program-cli.ts';
import * as campaigns from '../../modules/campaigns/index.ts';
import * as customers from '../../modules/customers/index.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import * as sales from '../../modules/sales/index.ts';
import * as segments from '../../modules/segments/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { createApp } from '../../platform/http/app.ts';
import { createApiKey } from '../../platform/http/auth.ts';
import { createLogger } from '../../platform/logger.ts';
import type { ProgramPnl } from './program-pnl.contract.ts';
import { registerProgramPnlRoutes } from './program-pnl.routes.ts';
import { programPnl, programPnlForDates } from './program-pnl.ts';

// The program P&L over a period [P0, P1) of a small program built through the services: customers, some in the
// global control group; points earned, redeemed, restored, reversed, adjusted and expired before, in and after the
// period; a campaign launched in it and delivered to a local webhook; receipts before, in and after the period.
// Every figure is recomputed here from what the test did. Runs on PGlite, and on PostgreSQL with TEST_DATABASE_URL.
// The ledger stamps transfers with the database's clock, so the stages are separated by real instants, P0 and P1.

let database: Database;
let app: FastifyInstance;
let receiver: Server;
const keys: Record<string, string> = {};
const hits: string[] = [];
const N = 40;
const SHARE = 0.3;
const DAY = 86_400_000;
const ids: string[] = [];
type Sale = { customerId: string; at: Date; minor: number };
const saleLog: Sale[] = [];
let P0: Date;
let P1: Date;
let launchAt: Date;
let pnl: ProgramPnl;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const monthsAgo = (m: number) => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() - m);
  return d;
};

async function earn(customerId: string, points: number, o: { at?: Date; pendingDays?: number; receiptId?: string } = {}) {
  return database.transaction((s) =>
    loyalty.earn(s, {
      owner: customerId,
      actor: customerId,
      points,
      cause: `test-earn:${customerId}:${Math.random()}`,
      receiptId: o.receiptId ?? null,
      partnerCode: null,
      at: o.at ?? new Date(),
      pendingDays: o.pendingDays ?? 0,
      expiryMonths: 12,
    }),
  );
}
async function redeem(customerId: string, points: number) {
  return database.transaction((s) =>
    loyalty.redeem(s, {
      owner: customerId,
      actor: customerId,
      points,
      cause: `test-redeem:${customerId}:${Math.random()}`,
      receiptId: null,
    }),
  );
}
let receiptNo = 0;
async function sell(customerId: string, at: Date, minor: number) {
  saleLog.push({ customerId, at, minor });
  await database.transaction((s) =>
    sales.storeReceipts(s, [
      {
        storeCode: 'S1',
        number: `R-${++receiptNo}`,
        customerId,
        kind: 'sale',
        occurredAt: at,
        currency: 'RUB',
        source: 'test',
        lines: [{ sku: 'A', quantity: '1', unitPriceMinor: minor, amountMinor: minor }],
      },
    ]),
  );
}

beforeAll(async () => {
  database = await openTestDatabase();
  app = await createApp({ database, logger: createLogger('silent'), rateLimitPerMinute: 100_000, version: 'test' });
  registerProgramPnlRoutes(app, database);
  await app.ready();
  for (const role of ['admin', 'analyst', 'agent'] as const) keys[role] = (await createApiKey(database, role, `test ${role}`)).secret;
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hits.push((JSON.parse(body) as { customerId: string }).customerId);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  await loyalty.putProgram(database, { ...PROGRAM, burn: { ...PROGRAM.burn, pointValue: '0.50' } }, 'pnl test');
  await database.transaction(async (s) => {
    for (let i = 0; i < N; i++)
      ids.push(
        await customers.createCustomerInTx(s, {
          fullName: `Customer ${i}`,
          identities: [{ kind: 'email', value: `p${i}@example.com` }],
          consents: [{ channel: 'email', granted: true, source: 'test' }],
        }),
      );
  });
  // History before the period, for the segments the campaign's audience comes from.
  for (const [i, id] of ids.entries()) await sell(id, new Date(Date.now() - (3 + ((i * 17) % 200)) * DAY), 2_000 + i * 50);
  await campaigns.redrawGlobalControl(database, { share: SHARE, at: new Date('2020-01-01T00:00:00Z') });
  await segments.refreshSegments(database, { asOf: new Date(Date.now() - DAY).toISOString().slice(0, 10), currency: 'RUB' });
  await campaigns.createCampaign(database, {
    name: 'pnl-spring',
    channels: ['email'],
    audience: { by: 'cell', segments: segments.CELLS.map((c) => c.key) },
    offers: [{ key: 'ten', text: '10% off', discount: '25.00', points: 20 }],
    template: { subject: 'Hi', body: 'Hi {{name}}: {{offer}}' },
    currency: 'RUB',
    controlShare: 0.2,
    costs: { email: '1.50', sms: '0.05', push: '0.001' },
    pointValue: '0.50',
    webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: 'test-secret-0123456789abcdef' },
  });
  const [c0, c1, c2, c3, c4] = ids as [string, string, string, string, string];

  // Stage A, before the period: c0 earns 100 and an old lot of 40 (expired two months ago) of which 10 are spent
  // and 30 expire; c1 earns 200 and 50 still pending.
  await earn(c0, 100);
  await earn(c0, 40, { at: monthsAgo(14) });
  await redeem(c0, 10);
  await earn(c1, 200);
  await earn(c1, 50, { pendingDays: 30 });
  await loyalty.expireDue(database);
  await sleep(50);
  P0 = new Date();
  await sleep(50);

  // Stage B, the period: the campaign launches; c2 earns 300 by a receipt, 60 of them reversed by a return; c0
  // redeems 50, 20 given back; c3 earns an old lot of 80 (expired a month ago), spends 20 and 60 expire; adjustments
  // +16 and −5. Receipts of two in three customers.
  launchAt = new Date();
  await campaigns.launchCampaign(database, 'pnl-spring', { at: launchAt.toISOString() });
  await campaigns.deliverDue(database);
  await earn(c2, 300, { receiptId: 'rcp_test_c2' });
  await database.transaction((s) => loyalty.reverseEarned(s, { owner: c2, receiptId: 'rcp_test_c2', points: 60, cause: 'test-return' }));
  const r = await redeem(c0, 50);
  await database.transaction((s) =>
    loyalty.restoreRedeemed(s, {
      owner: c0,
      points: 20,
      cause: 'test-restore',
      receiptId: 'rcp_test_c0',
      shares: [{ lotId: r.lots[0]!.lotId, points: 20 }],
    }),
  );
  await earn(c3, 80, { at: monthsAgo(13) });
  await redeem(c3, 20);
  await loyalty.expireDue(database);
  await loyalty.adjust(database, { customerId: ids[5]!, points: 16, reason: 'goodwill', idempotencyKey: 'pnl-1' });
  await loyalty.adjust(database, { customerId: c2, points: -5, reason: 'correction', idempotencyKey: 'pnl-2' });
  for (const [i, id] of ids.entries()) {
    if (i % 3 === 0) continue;
    await sell(id, new Date(), 1_000 + ((i * 7919) % 50_000));
    if (i % 4 === 1) await sell(id, new Date(), 333 * i);
  }
  await sleep(50);
  P1 = new Date();
  await sleep(50);

  // Stage C, after the period: more points and receipts, none of which may count.
  await earn(c4, 1000);
  await redeem(c0, 5);
  for (const [i, id] of ids.entries()) if (i % 5 === 0) await sell(id, new Date(P1.getTime() + 3_600_000), 7_777);

  pnl = await programPnl(database, P0, P1);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await database?.close();
});

const pts = (points: number) => ({ points, valueMinor: points * 50, value: (points / 2).toFixed(2) });

describe('the program P&L over a period', () => {
  it('splits customers by the global control rule and compares their revenue with Welch', () => {
    const inPeriod = (s: Sale) => s.at >= P0 && s.at < P1;
    const revenue = new Map(ids.map((id) => [id, 0]));
    for (const s of saleLog.filter(inPeriod)) revenue.set(s.customerId, revenue.get(s.customerId)! + s.minor);
    const control = ids.filter((id) => campaigns.inGlobalControl(1, id, SHARE));
    const reach = ids.filter((id) => !control.includes(id));
    expect(control.length).toBeGreaterThanOrEqual(5);
    expect(reach.length).toBeGreaterThanOrEqual(5);
    const stats = (g: string[]) => {
      const xs = g.map((id) => revenue.get(id)! / 100);
      const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
      const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
      return { n: xs.length, mean, variance, minor: g.reduce((a, id) => a + revenue.get(id)!, 0) };
    };
    const a = stats(reach);
    const b = stats(control);
    const va = a.variance / a.n;
    const vb = b.variance / b.n;
    const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
    const half = tQuantile(0.975, df) * Math.sqrt(va + vb);
    const d = a.mean - b.mean;

    expect(pnl.currency).toBe('RUB');
    expect(pnl.revenue.note).toContain('against doing nothing');
    expect(pnl.revenue.globalControl).toMatchObject({ epoch: 1, share: SHARE });
    expect(pnl.revenue.reachable).toMatchObject({ customers: a.n, revenue: { minor: a.minor, amount: (a.minor / 100).toFixed(2) } });
    expect(pnl.revenue.control).toMatchObject({ customers: b.n, revenue: { minor: b.minor } });
    expect(pnl.revenue.reachable.perCustomer).toBeCloseTo(a.mean, 9);
    expect(pnl.revenue.control.perCustomer).toBeCloseTo(b.mean, 9);
    expect(pnl.revenue.differencePerCustomer!.estimate).toBeCloseTo(d, 9);
    expect(pnl.revenue.differencePerCustomer!.low).toBeCloseTo(d - half, 6);
    expect(pnl.revenue.differencePerCustomer!.high).toBeCloseTo(d + half, 6);
    expect(pnl.revenue.incremental!.estimate).toBeCloseTo(d * a.n, 6);
    expect(pnl.revenue.incremental!.low).toBeCloseTo((d - half) * a.n, 6);

    // Net: incremental revenue × the program's 30% margin, less the costs.
    expect(pnl.net).toMatchObject({ marginPercent: 30, costs: pnl.costs.total.minor / 100 });
    expect(pnl.net.incrementalMargin!.estimate).toBeCloseTo(d * a.n * 0.3, 6);
    expect(pnl.net.net!.estimate).toBeCloseTo(d * a.n * 0.3 - pnl.costs.total.minor / 100, 6);
    expect(pnl.net.net!.high).toBeCloseTo((d + half) * a.n * 0.3 - pnl.costs.total.minor / 100, 6);
    expect(pnl.net.note).toContain('estimate');
  });

  it('takes the points liability from the ledger, movements adding up to the balances', async () => {
    // Start: c0 100 + c1 200 + 50 pending. Period: issued 300 − 60 + 80; spent 50 − 20 + 20; expired 60; adjusted 16 − 5.
    expect(pnl.points).toMatchObject({
      outstandingStart: pts(350),
      issued: pts(320),
      spent: pts(50),
      expired: pts(60),
      adjustments: pts(11),
      other: pts(0),
      outstandingEnd: pts(571),
    });
    // The end balance is what the wallets held at P1: today's balances less stage C (c4 +1000, c0 −5).
    let now = 0;
    for (const id of ids) {
      const b = await loyalty.getBalance(database, id);
      now += b.active + b.pending;
    }
    expect(now - 1000 + 5).toBe(571);
    // Breakage: the two lots past expiry, 30 + 60 expired against 10 + 20 spent: 75%, of 571 outstanding.
    expect(pnl.points.breakage).toMatchObject({ rate: 0.75, basis: { lots: 2, expired: 90, spent: 30 }, expected: pts(428) });
    expect(pnl.points.breakage.note).toContain('historical breakage rate');
  });

  it('books the campaign launched in the period and the points issued as operating costs', () => {
    // Treated = the messages the webhook received; converters bought in the attribution window [launch, launch + 14 days).
    const treated = new Set(hits);
    expect(treated.size).toBeGreaterThan(5);
    for (const id of treated) expect(campaigns.inGlobalControl(1, id, SHARE)).toBe(false);
    const end = launchAt.getTime() + 14 * DAY;
    const converters = [...treated].filter((id) => saleLog.some((s) => s.customerId === id && s.at >= launchAt && s.at.getTime() < end));
    const messages = treated.size * 150;
    const discounts = converters.length * 2_500;
    const points = converters.length * 20 * 50;
    expect(pnl.costs.campaigns).toEqual([
      {
        name: 'pnl-spring',
        launchedAt: launchAt.toISOString(),
        messages: { minor: messages, amount: (messages / 100).toFixed(2) },
        discounts: { minor: discounts, amount: (discounts / 100).toFixed(2) },
        points: { minor: points, amount: (points / 100).toFixed(2) },
        total: { minor: messages + discounts + points, amount: ((messages + discounts + points) / 100).toFixed(2) },
      },
    ]);
    expect(pnl.costs.pointsIssued).toEqual({ minor: 320 * 50, amount: '160.00' });
    expect(pnl.costs.total.minor).toBe(messages + discounts + points + 16_000);
  });

  it('counts nothing before the first transfer and no campaign outside the period', async () => {
    const early = await programPnl(database, new Date('2021-01-01T00:00:00Z'), new Date('2021-02-01T00:00:00Z'));
    expect(early.points).toMatchObject({ outstandingStart: pts(0), issued: pts(0), outstandingEnd: pts(0) });
    expect(early.costs.campaigns).toEqual([]);
    expect(early.revenue.reachable.revenue.minor).toBe(0);
  });

  it('prints a table of every line', () => {
    const text = formatPnl(pnl);
    for (const label of [
      'reachable customers',
      'incremental revenue',
      'outstanding at start',
      'expected breakage',
      'campaign pnl-spring',
      'points issued at value',
      '= net',
    ])
      expect(text).toContain(label);
    expect(text).toContain('+ issued');
    expect(text).toMatch(/\+ issued\s+320 pts = 160\.00 RUB/);
  });
});

describe('GET /api/v1/program/pnl', () => {
  const get = async (qs: string, role = 'analyst') => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/program/pnl${qs}`, headers: { authorization: `Bearer ${keys[role]}` } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.statusCode, body: res.json() as Record<string, any> };
  };
  const today = () => new Date().toISOString().slice(0, 10);
  const tomorrow = () => new Date(Date.now() + DAY).toISOString().slice(0, 10);

  it('answers the P&L of whole days, as the service computes it', async () => {
    const r = await get(`?from=${today()}&to=${tomorrow()}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual(await programPnlForDates(database, today(), tomorrow()));
    expect(r.body.from).toBe(`${today()}T00:00:00.000Z`);
    // The whole day holds every stage: issued 100 + 40 + 200 + 50, then 320, then 1000; spent 10, then 50, then 5.
    expect(r.body.points).toMatchObject({ outstandingStart: pts(0), issued: pts(1710), spent: pts(65) });
  });

  it('refuses bad dates and from ≥ to, naming the field', async () => {
    const bad = await get(`?from=2026-02-30&to=2026-03-01`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'querystring.from' }] });
    const same = await get(`?from=2026-03-01&to=2026-03-01`);
    expect(same.status).toBe(400);
    expect(same.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: [{ field: 'querystring.to', message: expect.stringContaining('after from') }],
    });
    const missing = await get(`?from=2026-03-01`);
    expect(missing.status).toBe(400);
    expect(missing.body.fields[0].field).toBe('querystring.to');
  });

  it('is for admins and analysts, and in the OpenAPI document', async () => {
    expect((await get(`?from=2026-03-01&to=2026-04-01`, 'admin')).status).toBe(200);
    expect((await get(`?from=2026-03-01&to=2026-04-01`, 'agent')).status).toBe(403);
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/program/pnl');
  });

  it('the service refuses the same', async () => {
    await expect(programPnlForDates(database, '2026-01-01', '2025-12-31')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'to' }] },
    });
  });
});

describe('patron program pnl', () => {
  let cli: TestCli;
  beforeAll(async () => {
    cli = await TestCli.open('patron-pnl-');
  });
  afterAll(async () => cli?.close());

  it('refuses a bad date and from ≥ to before opening anything, naming the flag', async () => {
    const bad = await cli.run(['program', 'pnl', '--from', '2026-13-01', '--to', '2026-12-01', '--json']);
    expect(bad.code).toBe(1);
    expect(lastJson(bad.stdout).error).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: '--from' }] });
    const order = await cli.run(['program', 'pnl', '--from', '2026-02-01', '--to', '2026-02-01']);
    expect(order.code).toBe(1);
    expect(order.stderr).toContain('--to: 2026-02-01 must be after --from 2026-02-01');
  });

  it('prints the P&L as JSON and as a table', async () => {
    const file = join(cli.work, 'program.json');
    writeFileSync(file, JSON.stringify(PROGRAM));
    expect((await cli.run(['loyalty', 'program', 'set', file])).code).toBe(0);
    const json = await cli.run(['program', 'pnl', '--from', '2026-01-01', '--to', '2026-02-01', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const p = lastJson(json.stdout) as ProgramPnl;
    expect(p).toMatchObject({ from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', currency: 'RUB', pointValue: '1.00' });
    expect(p.points.issued).toEqual({ points: 0, valueMinor: 0, value: '0.00' });
    expect(p.revenue.differencePerCustomer).toBeNull();
    const table = await cli.run(['program', 'pnl', '--from', '2026-01-01', '--to', '2026-02-01']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('Program P&L 2026-01-01 to 2026-02-01 (to excluded), RUB; 1 point = 1.00 RUB.');
    expect(table.stdout).toMatch(/outstanding at end\s+0 pts = 0\.00 RUB/);
    expect(table.stdout).toContain('against doing nothing');
  });
});
