import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/db.ts';
import * as customers from '../customers/index.ts';
import * as sales from '../sales/index.ts';
import * as segments from '../segments/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { createApp } from '../../platform/http/app.ts';
import { createApiKey } from '../../platform/http/auth.ts';
import { JobRegistry, runJobNow } from '../../platform/jobs/index.ts';
import { createLogger } from '../../platform/logger.ts';
import {
  campaignJobs,
  customerCampaigns,
  inGlobalControl,
  planAudience,
  registerCampaignRoutes,
  campaignContracts,
  redrawGlobalControl,
  sealWebhookSecrets,
} from './index.ts';

// A campaign end to end (issue 7, acceptance 4 and 5), through the HTTP API and the delivery job: an audience of RFM
// segments with customers lacking consent, 80 variants, a control group held out by a stable hash, a webhook that
// fails the first attempt of some messages, receipts after launch, and a report whose effect and ROI are recomputed
// here by hand. It runs on PGlite, and unchanged on PostgreSQL when TEST_DATABASE_URL is set (as CI does).

let database: Database;
let app: FastifyInstance;
let receiver: Server;
let hookUrl = '';
const keys: Record<string, string> = {};
const SECRET = 'test-secret-0123456789abcdef';
const LAUNCH = '2026-02-01T00:00:00.000Z';
const DAY = 86_400_000;
const N = 600;

type Hit = { id: string; attempt: string; body: string; signatureOk: boolean; status: number };
const hits: Hit[] = [];
const failFirst = new Set<string>();

const ids: string[] = [];
const consentOf = (i: number) => (i % 5 === 0 ? 'none' : i % 5 === 1 ? 'sms' : 'email');

beforeAll(async () => {
  database = await openTestDatabase();
  app = await createApp({ database, logger: createLogger('silent'), rateLimitPerMinute: 100_000, version: 'test' });
  registerCampaignRoutes(app, database);
  await app.ready();
  for (const role of ['admin', 'analyst'] as const) keys[role] = (await createApiKey(database, role, `test ${role}`)).secret;

  // The receiver: checks every signature, and answers 500 to the first attempt of every fourth message.
  let seen = 0;
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const id = String(req.headers['x-patron-delivery']);
      const want = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      const first = !hits.some((h) => h.id === id);
      if (first && seen++ % 4 === 0) failFirst.add(id);
      const status = first && failFirst.has(id) ? 500 : 200;
      hits.push({
        id,
        attempt: String(req.headers['x-patron-attempt']),
        body,
        signatureOk: req.headers['x-patron-signature'] === want,
        status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  // Customers with a purchase history spread over the RFM segments; every fifth has no consent at all.
  await database.transaction(async (s) => {
    for (let i = 0; i < N; i++) {
      const consent = consentOf(i);
      ids.push(
        await customers.createCustomerInTx(s, {
          fullName: i % 7 === 0 ? null : `Customer ${i}`,
          identities: [
            { kind: 'external', value: `c${i}` },
            { kind: 'email', value: `c${i}@example.com` },
          ],
          consents: consent === 'none' ? [] : [{ channel: consent, granted: true, source: 'test' }],
        }),
      );
    }
    const receipts: sales.ReceiptInput[] = [];
    ids.forEach((customerId, i) => {
      const visits = 1 + ((i * 7) % 6);
      for (let k = 0; k < visits; k++) {
        const amount = 500 + ((i * 37 + k * 101) % 9000);
        const daysBefore = 1 + ((i * 13 + k * 29) % 360);
        receipts.push({
          storeCode: 'S1',
          number: `H-${i}-${k}`,
          customerId,
          kind: 'sale',
          occurredAt: new Date(Date.parse(LAUNCH) - daysBefore * DAY),
          currency: 'GBP',
          source: 'test',
          lines: [{ sku: 'A', quantity: '1', unitPriceMinor: amount, amountMinor: amount }],
        });
      }
    });
    await sales.storeReceipts(s, receipts);
  });
  await segments.refreshSegments(database, { asOf: '2026-01-31', currency: 'GBP' });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await database?.close();
});

async function call(role: string, method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${keys[role]}` },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.statusCode, body: res.json() as Record<string, any> };
}

const SEGMENTS = [
  'champions',
  'loyal',
  'new_customers',
  'potential_loyalist',
  'promising',
  'need_attention',
  'cannot_lose',
  'at_risk',
  'about_to_sleep',
  'lost',
];
const OFFERS = [
  { key: 'ten', text: '10% off', discount: '2.50', points: 0 },
  { key: 'twenty', text: '20% off', discount: '5.00', points: 0 },
  { key: 'points', text: '200 bonus points', discount: '0', points: 200 },
  { key: 'nothing', text: 'news only' },
];
const definition = (over: Record<string, unknown> = {}) => ({
  name: 'spring',
  channels: ['email', 'sms'],
  audience: { by: 'rfm', segments: SEGMENTS },
  offers: OFFERS,
  template: {
    subject: 'For you, {{name}}',
    body: 'Hi {{name}} ({{segment}}, {{valueTier}} value): {{offer}}. You have {{points}} points.',
  },
  currency: 'GBP',
  attributionDays: 14,
  marginPercent: 40,
  costs: { email: '0.01', sms: '0.05', push: '0.001' },
  pointValue: '0.01',
  budget: '1000',
  webhook: { url: hookUrl, secret: SECRET },
  delivery: { maxAttempts: 3, backoffSeconds: 0 },
  ...over,
});

describe('campaign definitions that are refused store nothing', () => {
  it('names the unknown placeholder and the allowed ones', async () => {
    const r = await call(
      'admin',
      'POST',
      '/api/v1/campaigns',
      definition({ name: 'bad-template', template: { body: 'Hi {{name}}, {{discount}} for you' } }),
    );
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('CAMPAIGNS_TEMPLATE_INVALID');
    expect(r.body.message).toContain("unknown placeholder '{{discount}}'");
    expect(r.body.message).toContain('{{name}}, {{segment}}, {{offer}}, {{points}}, {{valueTier}}');
    expect(r.body.fields).toEqual([{ field: 'template.body', message: expect.stringContaining('discount') }]);
    expect((await call('admin', 'GET', '/api/v1/campaigns/bad-template')).status).toBe(404);
  });

  it('names the field of an unknown segment, a bad channel and a control share out of range', async () => {
    const seg = await call(
      'admin',
      'POST',
      '/api/v1/campaigns',
      definition({ name: 'bad-seg', audience: { by: 'rfm', segments: ['champions', 'whales'] } }),
    );
    expect(seg.status).toBe(400);
    expect(seg.body).toMatchObject({
      code: 'CAMPAIGNS_UNKNOWN_SEGMENT',
      fields: [{ field: 'audience.segments[1]', message: expect.stringContaining("'whales'") }],
    });
    const ch = await call('admin', 'POST', '/api/v1/campaigns', definition({ name: 'bad-channel', channels: ['email', 'fax'] }));
    expect(ch.status).toBe(400);
    expect(ch.body).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'channels[1]' }] });
    const share = await call('admin', 'POST', '/api/v1/campaigns', definition({ name: 'bad-share', controlShare: 1.5 }));
    expect(share.status).toBe(400);
    expect(share.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: [{ field: 'controlShare', message: expect.stringContaining('0.9') }],
    });
    expect((await call('analyst', 'GET', '/api/v1/campaigns')).body.campaigns).toEqual([]);
  });

  it('documents the routes in the OpenAPI document, the callback without an API key', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/campaigns',
        '/api/v1/campaigns/{name}/launch',
        '/api/v1/campaigns/{name}/report',
        '/api/v1/campaigns/deliveries/{id}/status',
      ]),
    );
    expect(doc.paths['/api/v1/campaigns/deliveries/{id}/status']!.post!.security).toEqual([]);
  });

  it('lets an analyst read but not write', async () => {
    expect((await call('analyst', 'POST', '/api/v1/campaigns', definition())).status).toBe(403);
  });
});

describe('a campaign end to end', () => {
  let campaignId = '';
  type Member = { customerId: string; arm: 'treated' | 'control'; segment: string; variantKey: string; channel: string };
  let members: Member[] = [];

  it('creates 80 variants: 10 segments × 4 offers × 2 channels', async () => {
    const r = await call('admin', 'POST', '/api/v1/campaigns', definition());
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    campaignId = r.body.id;
    expect(r.body.variants).toBe(80);
    const keys = (r.body.variantList as { key: string }[]).map((v) => v.key);
    expect(new Set(keys).size).toBe(80);
    expect(keys).toContain('champions.points.sms');
    expect(r.body.definition.webhook.secret).toBe('(hidden)');
    // Stored sealed, never in plain text (delivery below still signs with the secret itself).
    const [row] = await database.query<{ secret: string }>(
      `SELECT definition->'webhook'->>'secret' AS secret FROM campaigns.campaigns WHERE id = $1`,
      [campaignId],
    );
    expect(row!.secret).toMatch(/^sealed:v1:/);
    expect(JSON.stringify(row)).not.toContain(SECRET);
    // A secret stored in plain text before secrets were sealed is sealed at start (and delivery below still opens it).
    await database.query(
      `UPDATE campaigns.campaigns SET definition = jsonb_set(definition, '{webhook,secret}', to_jsonb($2::text)) WHERE id = $1`,
      [campaignId, SECRET],
    );
    expect(await sealWebhookSecrets(database)).toBe(1);
    expect(await sealWebhookSecrets(database)).toBe(0);
    const [again] = await database.query<{ secret: string }>(
      `SELECT definition->'webhook'->>'secret' AS secret FROM campaigns.campaigns WHERE id = $1`,
      [campaignId],
    );
    expect(again!.secret).toMatch(/^sealed:v1:/);
    expect(again!.secret).not.toBe(row!.secret);
    const dup = await call('admin', 'POST', '/api/v1/campaigns', definition());
    expect(dup.body.code).toBe('CAMPAIGNS_NAME_TAKEN');
  });

  it('launches: global control and customers without consent left out, 10% held out as control', async () => {
    const r = await call('admin', 'POST', '/api/v1/campaigns/spring/launch', { at: LAUNCH });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const a = r.body.audience;
    members = await database.query<Member>(
      `SELECT customer_id AS "customerId", arm, segment, variant_key AS "variantKey", channel FROM campaigns.members WHERE campaign_id = $1`,
      [campaignId],
    );

    // The audience recomputed independently: the latest cells, the segments asked for, minus the global control, minus no consent.
    const cur = await segments.currentCells(database, ids);
    const index = new Map(ids.map((id, i) => [id, i]));
    const candidates = ids.filter((id) => SEGMENTS.includes(cur.get(id)?.rfmSegment ?? ''));
    const outsideGlobal = candidates.filter((id) => !inGlobalControl(a.globalControlEpoch, id, 0.05));
    const consenting = outsideGlobal.filter((id) => consentOf(index.get(id)!) !== 'none');
    expect(candidates.length).toBeGreaterThan(N / 2);
    expect(candidates.length).toBeLessThan(N);
    expect(a).toMatchObject({
      candidates: candidates.length,
      globalControl: candidates.length - outsideGlobal.length,
      noConsent: outsideGlobal.length - consenting.length,
    });
    expect(a.globalControl).toBeGreaterThan(0);
    expect(a.noConsent).toBeGreaterThan(0);
    expect(members.map((m) => m.customerId).sort()).toEqual([...consenting].sort());
    // Each reached on the channel it consented to.
    for (const m of members) expect(m.channel).toBe(consentOf(index.get(m.customerId)!));

    const control = members.filter((m) => m.arm === 'control').length;
    const share = control / members.length;
    expect(a.control).toBe(control);
    expect(Math.abs(share - 0.1)).toBeLessThan(4 * Math.sqrt((0.1 * 0.9) / members.length));
    expect(r.body.outbox).toBe(members.length - control);
  });

  it('never reshuffles: recomputing gives the same arms, a second launch is refused and a redraw leaves the members be', async () => {
    const again = await call('admin', 'POST', '/api/v1/campaigns/spring/launch', {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CAMPAIGNS_ALREADY_LAUNCHED');
    const detail = await call('analyst', 'GET', '/api/v1/campaigns/spring');
    const def = campaignContracts.CampaignDefinition.parse({ ...definition(), webhook: undefined });
    const plan = await planAudience(database, campaignId, def, { epoch: detail.body.audience.globalControlEpoch, share: 0.05 });
    const byId = new Map(members.map((m) => [m.customerId, m]));
    expect(plan.members.length).toBe(members.length);
    for (const p of plan.members) expect(byId.get(p.customerId)).toMatchObject({ arm: p.arm, variantKey: p.variantKey });
    const redraw = await redrawGlobalControl(database);
    expect(redraw.epoch).toBe(detail.body.audience.globalControlEpoch + 1);
    const count = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM campaigns.members WHERE campaign_id = $1`, [
      campaignId,
    ]);
    expect(count[0]!.n).toBe(members.length);
  });

  it("previews a variant with a real customer's data", async () => {
    const m = members.find((x) => x.arm === 'treated' && x.channel === 'email')!;
    const r = await call('admin', 'POST', '/api/v1/campaigns/spring/preview', { customerId: m.customerId });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const i = ids.indexOf(m.customerId);
    const offer = OFFERS.find((o) => o.key === m.variantKey.split('.')[1])!;
    expect(r.body.variant).toBe(m.variantKey);
    expect(r.body.subject).toBe(`For you, ${i % 7 === 0 ? 'customer' : `Customer ${i}`}`);
    expect(r.body.body).toContain(offer.text);
    expect(r.body.body).toContain('You have 0 points.');
    expect(r.body.context.valueTier).toMatch(/^(high|medium|low)$/);
    const other = await call('admin', 'POST', '/api/v1/campaigns/spring/preview', { customerId: m.customerId, variant: 'lost.twenty.sms' });
    expect(other.body).toMatchObject({ variant: 'lost.twenty.sms', channel: 'sms', subject: null });
    expect(other.body.body).toContain('(Lost, ');
    expect((await call('analyst', 'POST', '/api/v1/campaigns/spring/preview', { customerId: m.customerId })).status).toBe(403);
  });

  it('delivers the outbox to the webhook signed with HMAC-SHA256, retrying what failed', async () => {
    const registry = new JobRegistry(campaignJobs);
    const first = await runJobNow({ database, registry }, 'campaigns.deliver', {});
    const treated = members.filter((m) => m.arm === 'treated').length;
    expect(first.status).toBe('succeeded');
    expect(failFirst.size).toBeGreaterThan(0);
    expect(first.result).toEqual({ claimed: treated, sent: treated - failFirst.size, retrying: failFirst.size, failed: 0 });
    const pending = await call('analyst', 'GET', '/api/v1/campaigns/spring/deliveries');
    const failed = (pending.body.deliveries as { id: string; status: string; attempts: number; lastError: string }[]).filter(
      (d) => d.status === 'pending',
    );
    expect(failed.map((d) => d.id).sort()).toEqual([...failFirst].sort());
    expect(failed.every((d) => d.attempts === 1 && d.lastError === 'HTTP 500')).toBe(true);

    const second = await runJobNow({ database, registry }, 'campaigns.deliver', {});
    expect(second.result).toEqual({ claimed: failFirst.size, sent: failFirst.size, retrying: 0, failed: 0 });
    const done = (await call('analyst', 'GET', '/api/v1/campaigns/spring/deliveries')).body.deliveries as {
      id: string;
      customerId: string;
      status: string;
      attempts: number;
    }[];
    expect(done.every((d) => d.status === 'sent')).toBe(true);
    for (const d of done) expect(d.attempts).toBe(failFirst.has(d.id) ? 2 : 1);

    expect(hits.length).toBe(treated + failFirst.size);
    expect(hits.every((h) => h.signatureOk)).toBe(true);
    for (const id of failFirst) {
      const tries = hits.filter((h) => h.id === id);
      expect(tries.map((h) => [h.attempt, h.status])).toEqual([
        ['1', 500],
        ['2', 200],
      ]);
      expect(tries[0]!.body).toBe(tries[1]!.body);
    }
    const one = JSON.parse(hits[0]!.body);
    expect(one).toMatchObject({ campaign: 'spring', id: hits[0]!.id, to: { email: expect.stringMatching(/@example\.com$/) } });
    expect(members.find((m) => m.customerId === one.customerId)?.arm).toBe('treated');
  });

  it('takes delivery statuses back through the signed callback', async () => {
    const id = hits[0]!.id;
    const post = (body: unknown, secret = SECRET) => {
      const text = JSON.stringify(body);
      return app.inject({
        method: 'POST',
        url: `/api/v1/campaigns/deliveries/${id}/status`,
        headers: {
          'content-type': 'application/json',
          'x-patron-signature': `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`,
        },
        payload: text,
      });
    };
    expect((await post({ status: 'delivered' })).json()).toEqual({ id, status: 'delivered', changed: true });
    expect((await post({ status: 'opened' })).json()).toEqual({ id, status: 'opened', changed: true });
    expect((await post({ status: 'delivered' })).json()).toEqual({ id, status: 'opened', changed: false });
    const bad = await post({ status: 'clicked' }, 'not-the-secret-at-all');
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe('CAMPAIGNS_BAD_SIGNATURE');
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/campaigns/deliveries/dlv_nope/status',
      headers: { 'content-type': 'application/json' },
      payload: '{"status":"opened"}',
    });
    expect(missing.statusCode).toBe(404);
    // A secret that does not open (sealed under another key, or damaged) is the operator's to mend: the caller gets
    // a bare 500, and nothing about the key.
    const [stored] = await database.query<{ secret: string }>(
      `SELECT definition->'webhook'->>'secret' AS secret FROM campaigns.campaigns WHERE id = $1`,
      [campaignId],
    );
    const kept = stored!.secret;
    const setSecret = (value: string) =>
      database.query(
        `UPDATE campaigns.campaigns SET definition = jsonb_set(definition, '{webhook,secret}', to_jsonb($2::text)) WHERE id = $1`,
        [campaignId, value],
      );
    await setSecret('sealed:v1:AAAA');
    const broken = await post({ status: 'clicked' });
    await setSecret(kept);
    expect(broken.statusCode).toBe(500);
    expect(broken.json().code).toBe('INTERNAL');
    expect(broken.body).not.toMatch(/PATRON_SECRET_KEY|sealed|secret/i);
  });

  it("gives each customer's campaigns for the 360 view: the arm, the variant, and a treated customer's message", async () => {
    const deliveries = (await call('analyst', 'GET', '/api/v1/campaigns/spring/deliveries')).body.deliveries as {
      id: string;
      customerId: string;
    }[];
    const opened = deliveries.find((d) => d.id === hits[0]!.id)!;
    const member = members.find((m) => m.customerId === opened.customerId)!;
    const [touch, ...rest] = await customerCampaigns(database, opened.customerId);
    expect(rest).toEqual([]);
    expect(touch).toMatchObject({ campaignId, name: 'spring', arm: 'treated', variant: member.variantKey, channel: member.channel });
    expect(touch!.segment).toBe(member.segment);
    expect(touch!.launchedAt).toBe(new Date(LAUNCH).toISOString());
    expect(touch!.message).toMatchObject({ id: opened.id, status: 'opened', attempts: failFirst.has(opened.id) ? 2 : 1 });
    expect(Date.parse(touch!.message!.sentAt!)).not.toBeNaN();
    expect(Date.parse(touch!.message!.statusAt!)).toBeGreaterThanOrEqual(Date.parse(touch!.message!.sentAt!));
    const control = members.find((m) => m.arm === 'control')!;
    expect(await customerCampaigns(database, control.customerId)).toEqual([
      expect.objectContaining({ campaignId, arm: 'control', variant: control.variantKey, message: null }),
    ]);
    expect(await customerCampaigns(database, 'cus_in_no_campaign')).toEqual([]);
  });

  it('reports the effect and ROI that a hand computation gives', async () => {
    // Receipts after launch: every third treated member and every fourth control member buys; some outside the window.
    const revenue = new Map<string, number>();
    const receipts: sales.ReceiptInput[] = [];
    const buy = (customerId: string, minor: number, at: number, n: string) =>
      receipts.push({
        storeCode: 'S2',
        number: n,
        customerId,
        kind: 'sale',
        occurredAt: new Date(at),
        currency: 'GBP',
        source: 'test',
        lines: [{ sku: 'B', quantity: '1', unitPriceMinor: minor, amountMinor: minor }],
      });
    const treated = members.filter((m) => m.arm === 'treated');
    const control = members.filter((m) => m.arm === 'control');
    treated.forEach((m, i) => {
      if (i % 3 === 0) {
        const minor = 2000 + (i % 5) * 1000;
        buy(m.customerId, minor, Date.parse(LAUNCH) + (1 + (i % 10)) * DAY, `T-${i}`);
        revenue.set(m.customerId, minor);
      }
      if (i % 3 === 1) buy(m.customerId, 9999, Date.parse(LAUNCH) + 15 * DAY, `L-${i}`); // after the 14-day window
    });
    control.forEach((m, i) => {
      if (i % 4 === 0) {
        buy(m.customerId, 1500, Date.parse(LAUNCH) + 2 * DAY, `C-${i}`);
        revenue.set(m.customerId, 1500);
      }
    });
    await database.transaction((s) => sales.storeReceipts(s, receipts));

    const r = await call('analyst', 'GET', '/api/v1/campaigns/spring/report');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const rep = r.body;

    // By hand.
    const values = (ms: Member[]) => ms.map((m) => (revenue.get(m.customerId) ?? 0) / 100);
    const vt = values(treated);
    const vc = values(control);
    const xt = vt.filter((v) => v > 0).length;
    const xc = vc.filter((v) => v > 0).length;
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const variance = (v: number[]) => v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1);
    const z = 1.959963984540054;
    const wilson = (x: number, n: number) => {
      const p = x / n;
      const c = p + (z * z) / (2 * n);
      const h = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
      const d = 1 + (z * z) / n;
      return [(c - h) / d, (c + h) / d] as const;
    };
    const [l1, u1] = wilson(xt, vt.length);
    const [l2, u2] = wilson(xc, vc.length);
    const p1 = xt / vt.length;
    const p2 = xc / vc.length;
    const newcombe = [p1 - p2 - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), p1 - p2 + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)];
    const se2t = variance(vt) / vt.length;
    const se2c = variance(vc) / vc.length;
    const df = (se2t + se2c) ** 2 / (se2t ** 2 / (vt.length - 1) + se2c ** 2 / (vc.length - 1));
    const diff = mean(vt) - mean(vc);
    const half = tQuantile(0.975, df) * Math.sqrt(se2t + se2c);

    expect(rep.arms.treated).toMatchObject({ n: treated.length, conversions: xt });
    expect(rep.arms.control).toMatchObject({ n: control.length, conversions: xc });
    expect(rep.arms.treated.revenuePerCustomer).toBeCloseTo(mean(vt), 9);
    expect(rep.arms.control.revenuePerCustomer).toBeCloseTo(mean(vc), 9);
    expect(rep.effects.conversion.estimate).toBeCloseTo(p1 - p2, 12);
    expect(rep.effects.conversion.low).toBeCloseTo(newcombe[0]!, 9);
    expect(rep.effects.conversion.high).toBeCloseTo(newcombe[1]!, 9);
    // The always-valid interval (mSPRT, normal mixture with tau 0.02), from its formula: d ± sqrt(2V(V+τ²)/τ² ·
    // (ln(1/α) + ½ ln((V+τ²)/V))), and p = min(1, 1/Λ) with Λ = sqrt(V/(V+τ²)) · exp(τ² d² / (2V(V+τ²))).
    const V = (p1 * (1 - p1)) / vt.length + (p2 * (1 - p2)) / vc.length;
    const tau2 = 0.02 ** 2;
    const avHalf = Math.sqrt(((2 * V * (V + tau2)) / tau2) * (Math.log(1 / 0.05) + 0.5 * Math.log((V + tau2) / V)));
    const lambda = Math.sqrt(V / (V + tau2)) * Math.exp((tau2 * (p1 - p2) ** 2) / (2 * V * (V + tau2)));
    expect(rep.effects.conversionAlwaysValid.estimate).toBeCloseTo(p1 - p2, 12);
    expect(rep.effects.conversionAlwaysValid.low).toBeCloseTo(p1 - p2 - avHalf, 9);
    expect(rep.effects.conversionAlwaysValid.high).toBeCloseTo(p1 - p2 + avHalf, 9);
    expect(rep.effects.conversionAlwaysValid.pValue).toBeCloseTo(Math.min(1, 1 / lambda), 9);
    // Valid under continuous monitoring costs width: it is wider than the fixed-horizon interval.
    expect(avHalf).toBeGreaterThan((newcombe[1]! - newcombe[0]!) / 2);
    expect(rep.effects.revenuePerCustomer.estimate).toBeCloseTo(diff, 9);
    expect(rep.effects.revenuePerCustomer.low).toBeCloseTo(diff - half, 6);
    expect(rep.effects.revenuePerCustomer.high).toBeCloseTo(diff + half, 6);

    const messages = treated.reduce((a, m) => a + (m.channel === 'email' ? 0.01 : 0.05), 0);
    const converting = treated.filter((m) => revenue.has(m.customerId));
    const offerOf = (m: Member) => OFFERS.find((o) => o.key === m.variantKey.split('.')[1])!;
    const discounts = converting.reduce((a, m) => a + Number(offerOf(m).discount ?? 0), 0);
    const points = converting.reduce((a, m) => a + (offerOf(m).points ?? 0) * 0.01, 0);
    const incremental = diff * 0.4 * treated.length;
    expect(rep.money.costs.messages).toBeCloseTo(messages, 9);
    expect(rep.money.costs.discounts).toBeCloseTo(discounts, 9);
    expect(rep.money.costs.points).toBeCloseTo(points, 9);
    expect(rep.money.incrementalMargin.estimate).toBeCloseTo(incremental, 6);
    expect(rep.money.roi).toBeCloseTo(incremental / (messages + discounts + points), 9);
    expect(rep.money.roi).toBeGreaterThan(0);
    expect(rep.complete).toBe(true);
    expect(rep.deliveries).toEqual({ sent: treated.length - 1, opened: 1 });

    // Per segment: the effects of the experiments module, flagged harmed only when the whole interval is below zero.
    const segs = rep.segments.conversion as { value: string; nTreated: number; nControl: number; ciHigh: number | null; harmed: boolean }[];
    expect(segs.reduce((a, s) => a + s.nTreated + s.nControl, 0)).toBe(members.length);
    for (const s of segs) expect(s.harmed).toBe(s.ciHigh !== null && s.ciHigh < 0);
  });
});
