import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as campaigns from '../../src/modules/campaigns/index.ts';
import * as customers from '../../src/modules/customers/index.ts';
import * as sales from '../../src/modules/sales/index.ts';
import * as segments from '../../src/modules/segments/index.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { ANALYST, SHOTS, hasChromium, login, startConsole } from './fixture.ts';

// The campaigns page on a launched campaign with receipts after its launch: the arms, the effect with its interval,
// the ROI waterfall, and each segment's verdict. The figures on the page are the API report's.

const LAUNCH = '2026-02-01T00:00:00.000Z';
const DAY = 86_400_000;
const N = 300;

describe.skipIf(!hasChromium)('the campaigns page in Chromium (skipped without /usr/bin/chromium)', () => {
  let rig: Awaited<ReturnType<typeof startConsole>>;

  beforeAll(async () => {
    rig = await startConsole(seed);
  }, 180_000);

  afterAll(() => rig?.close());

  /** Customers with a purchase history and segments, a launched campaign, and two in three buying after it. */
  async function seed(database: Database): Promise<void> {
    const ids: string[] = [];
    await database.transaction(async (s) => {
      for (let i = 0; i < N; i++)
        ids.push(
          await customers.createCustomerInTx(s, {
            fullName: `Customer ${i}`,
            identities: [{ kind: 'email', value: `c${i}@example.com` }],
            consents: i % 5 === 0 ? [] : [{ channel: 'email', granted: true, source: 'test' }],
          }),
        );
      const history: sales.ReceiptInput[] = ids.flatMap((customerId, i) =>
        Array.from({ length: 1 + (i % 4) }, (_, k) => ({
          storeCode: 'S1',
          number: `H-${i}-${k}`,
          customerId,
          kind: 'sale' as const,
          occurredAt: new Date(Date.parse(LAUNCH) - (1 + ((i * 13 + k * 29) % 300)) * DAY),
          currency: 'GBP',
          source: 'test',
          lines: [{ sku: 'A', quantity: '1', unitPriceMinor: 1000 + ((i * 37) % 5000), amountMinor: 1000 + ((i * 37) % 5000) }],
        })),
      );
      await sales.storeReceipts(s, history);
    });
    await segments.refreshSegments(database, { asOf: '2026-01-31', currency: 'GBP' });
    await campaigns.createCampaign(database, {
      name: 'winter',
      channels: ['email'],
      audience: { by: 'rfm', segments: segments.RFM_RULES.map((r) => r.key) },
      offers: [
        { key: 'ten', text: '10% off', discount: '2.00', points: 0 },
        { key: 'points', text: '100 bonus points', discount: '0', points: 100 },
      ],
      template: { subject: 'For you, {{name}}', body: 'Hi {{name}}: {{offer}}.' },
      currency: 'GBP',
      attributionDays: 14,
      marginPercent: 40,
      costs: { email: '0.02', sms: '0.05', push: '0.001' },
      pointValue: '0.01',
      budget: '1000',
      webhook: { url: 'http://127.0.0.1:9/never-called', secret: 'test-secret-0123456789abcdef' },
    });
    await campaigns.launchCampaign(database, 'winter', { at: LAUNCH });
    // After the launch, two customers in three buy once more.
    await database.transaction((s) =>
      sales.storeReceipts(
        s,
        ids.flatMap((customerId, i) =>
          i % 3 === 0
            ? []
            : [
                {
                  storeCode: 'S1',
                  number: `A-${i}`,
                  customerId,
                  kind: 'sale' as const,
                  occurredAt: new Date(Date.parse(LAUNCH) + (1 + (i % 10)) * DAY),
                  currency: 'GBP',
                  source: 'test',
                  lines: [{ sku: 'B', quantity: '1', unitPriceMinor: 2500, amountMinor: 2500 }],
                },
              ],
        ),
      ),
    );
  }

  it('shows treated against control, the ROI waterfall and the segments', async () => {
    const report = await campaigns.campaignReport(rig.database, 'winter');
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    try {
      await login(page, rig.base, ANALYST.email, ANALYST.password);
      await page.getByTestId('nav-campaigns').click();
      await page.getByTestId('campaign-waterfall').waitFor();
      const pct = (x: number) =>
        new Intl.NumberFormat('en-GB', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(x);
      expect(await page.getByTestId('effect-conversion').innerText()).toContain(pct(report.effects.conversion!.estimate));
      expect(await page.getByTestId('campaign-roi').innerText()).toContain(
        report.money.roi === null
          ? '—'
          : new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(report.money.roi),
      );
      if (report.effects.conversionAlwaysValid)
        expect(await page.getByTestId('always-valid').innerText()).toContain(pct(report.effects.conversionAlwaysValid.low));
      await page.locator('[data-testid="roi-waterfall"][data-ready="true"]').waitFor();
      await expect.poll(() => page.getByTestId('campaign-segment-row').count()).toBe(report.segments.conversion.length);
      await page.screenshot({ path: `${SHOTS}/21-campaigns.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("shows a member's campaign on the customer's page: the arm, and a treated member's message", async () => {
    const member = async (arm: string) =>
      (
        await rig.database.query<{ id: string }>(
          `SELECT customer_id AS id FROM campaigns.members WHERE arm = $1 ORDER BY customer_id LIMIT 1`,
          [arm],
        )
      )[0]!.id;
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    try {
      await login(page, rig.base, ANALYST.email, ANALYST.password);
      // Signed in once the console says so: a page opened by address before then boots without the session cookie.
      await page.getByTestId('signed-in-as').waitFor({ state: 'attached' });
      // The webhook is never called here, so a treated member's message is still waiting.
      for (const [arm, shown] of [
        ['treated', ['Treated', 'waiting']],
        ['control', ['Control group', 'held out (no message)']],
      ] as const) {
        await page.goto(`${rig.base}/customers/${await member(arm)}`);
        const row = page.getByTestId('c360-campaigns').locator('tbody tr');
        await row.first().waitFor();
        expect(await row.count()).toBe(1);
        const text = await row.innerText();
        for (const s of ['winter', ...shown]) expect(text).toContain(s);
      }
    } finally {
      await context.close();
    }
  });
});
