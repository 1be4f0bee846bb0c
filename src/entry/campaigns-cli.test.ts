import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCli, lastJson } from '../../test/cli.ts';
import * as customers from '../modules/customers/index.ts';
import * as sales from '../modules/sales/index.ts';
import * as segments from '../modules/segments/index.ts';
import { openDatabase } from '../platform/db/client.ts';

// `patron campaigns …` through the real CLI in child processes, on PGlite or (with TEST_DATABASE_URL) PostgreSQL:
// a refused definition, create, list, preview, launch, `patron jobs run campaigns.deliver` to a local webhook, report.

let cli: TestCli;
let receiver: Server;
const bodies: { body: string; ok: boolean }[] = [];
const SECRET = 'cli-secret-0123456789abcdef';
const LAUNCH = '2026-02-01T00:00:00.000Z';
const patron = (args: string[]) => cli.run(args);

function file(name: string, content: unknown): string {
  const path = join(cli.work, name);
  writeFileSync(path, JSON.stringify(content, null, 2));
  return path;
}

beforeAll(async () => {
  cli = await TestCli.open('patron-campaigns-cli-');
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push({ body, ok: req.headers['x-patron-signature'] === `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // The first command migrates the CLI's database; then customers and their history are written in this process.
  expect((await patron(['campaigns', 'list'])).stdout).toMatch(/No campaigns yet/);
  const db = await openDatabase({ databaseUrl: cli.env().DATABASE_URL, dataDir: cli.dataDir });
  try {
    await db.transaction(async (s) => {
      const receipts: sales.ReceiptInput[] = [];
      for (let i = 0; i < 60; i++) {
        const id = await customers.createCustomerInTx(s, {
          fullName: `Customer ${i}`,
          identities: [{ kind: 'external', value: `c${i}` }],
          consents: i % 6 === 0 ? [] : [{ channel: 'email', granted: true, source: 'test' }],
        });
        for (let k = 0; k <= i % 4; k++) {
          const amount = 1000 + ((i * 31 + k * 7) % 5000);
          receipts.push({
            storeCode: 'S1',
            number: `H-${i}-${k}`,
            customerId: id,
            kind: 'sale',
            occurredAt: new Date(Date.parse(LAUNCH) - (1 + ((i * 11 + k * 3) % 200)) * 86_400_000),
            currency: 'GBP',
            source: 'test',
            lines: [{ sku: 'A', quantity: '1', unitPriceMinor: amount, amountMinor: amount }],
          });
        }
      }
      await sales.storeReceipts(s, receipts);
    });
    await segments.refreshSegments(db, { asOf: '2026-01-31', currency: 'GBP' });
  } finally {
    await db.close();
  }
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await cli?.close();
});

const definition = () => ({
  name: 'winter',
  channels: ['email'],
  audience: {
    by: 'cell',
    segments: ['new', 'promising', 'vip', 'occasional', 'needs_attention', 'at_risk', 'lost', 'sleeping', 'sleeping_vip'],
  },
  offers: [
    { key: 'ten', text: '10% off', discount: '1.00' },
    { key: 'pts', text: '100 points', points: 100 },
  ],
  template: { subject: 'Hello {{name}}', body: '{{name}}, as a {{segment}} customer: {{offer}} ({{points}} points, {{valueTier}}).' },
  currency: 'GBP',
  pointValue: '0.01',
  webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: SECRET },
});

describe('patron campaigns', () => {
  it('refuses a template with an unknown placeholder, naming the file, the field and the allowed ones', async () => {
    const bad = await patron([
      'campaigns',
      'create',
      file('bad.json', { ...definition(), template: { body: 'Hi {{firstName}}' } }),
      '--json',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /bad\.json: Campaign definition: template\.body: unknown placeholder '\{\{firstName\}\}'; allowed placeholders: \{\{name\}\}/,
    );
    expect(lastJson(bad.stdout).error).toMatchObject({ code: 'CAMPAIGNS_TEMPLATE_INVALID', fields: [{ field: 'template.body' }] });
  });

  it('creates, previews, launches, delivers and reports', async () => {
    const created = await patron(['campaigns', 'create', file('winter.json', definition())]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Campaign 'winter' created \(cmp_[0-9a-z]+\): 18 variants \(9 segments × 2 offers × 1 channels\)/);
    const list = await patron(['campaigns', 'list', '--json']);
    expect(lastJson(list.stdout).campaigns).toMatchObject([{ name: 'winter', status: 'draft', variants: 18 }]);

    const preview = await patron(['campaigns', 'preview', 'winter', '--customer', 'c1', '--variant', 'vip.pts.email', '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(lastJson(preview.stdout)).toMatchObject({
      variant: 'vip.pts.email',
      subject: 'Hello Customer 1',
      body: 'Customer 1, as a VIP customer: 100 points (0 points, high).',
    });

    const launch = await patron(['campaigns', 'launch', 'winter', '--at', LAUNCH, '--json']);
    expect(launch.code, launch.stderr).toBe(0);
    const l = lastJson(launch.stdout);
    expect(l.audience.treated + l.audience.control + l.audience.noConsent + l.audience.globalControl).toBe(l.audience.candidates);
    expect(l.outbox).toBe(l.audience.treated);

    const run = await patron(['jobs', 'run', 'campaigns.deliver', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(bodies.length).toBe(l.outbox);
    expect(bodies.every((b) => b.ok)).toBe(true);

    const report = await patron(['campaigns', 'report', 'winter', '--json']);
    expect(report.code, report.stderr).toBe(0);
    const r = lastJson(report.stdout);
    expect(r.arms.treated.n).toBe(l.audience.treated);
    expect(r.arms.control.n).toBe(l.audience.control);
    expect(r.deliveries).toEqual({ sent: l.outbox });
    expect(r.money.costs.messages).toBeCloseTo(l.outbox * 0.002, 9);
    const human = await patron(['campaigns', 'report', 'winter']);
    expect(human.stdout).toMatch(/treated {2}n=\d+ {2}conversion 0\.00%/);
  });
});
