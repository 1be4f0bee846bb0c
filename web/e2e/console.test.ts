import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import Papa from 'papaparse';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/entry/server.ts';
import { IMPORT_FORMATS, runImport } from '../../src/flows/import/index.ts';
import * as analytics from '../../src/modules/analytics/index.ts';
import * as segments from '../../src/modules/segments/index.ts';
import { createUser } from '../../src/modules/staff/index.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { ensureConsoleBuilt } from '../../src/platform/http/console.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { openTestDatabase } from '../../test/db.ts';
import { SHOTS, demoHead, hasChromium, launch, listen, login as signIn } from './fixture.ts';

// The first 20,000 lines of Online Retail: 9 days of December 2010, about 1,000 receipts of some 400 customers.
const LINES = 20_000;
// The overview's default as-of date: the day of the latest purchase.
const AS_OF = '2010-12-09';
const PASSWORD = 'correct horse battery';
const users = { admin: 'admin@shop.test', till: 'till@shop.test', analyst: 'analyst@shop.test' };

const en = (n: number) => new Intl.NumberFormat('en-GB').format(n);
const gbp = (s: string) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' }).format(Number(s));

describe.skipIf(!hasChromium)('the console in Chromium (skipped without /usr/bin/chromium: apt-get install -y chromium)', () => {
  let database: Database;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const [built, db, file] = await Promise.all([ensureConsoleBuilt(), openTestDatabase(), demoHead(LINES)]);
    expect(built, 'web/dist could not be built').toBe(true);
    database = db;
    await runImport(database, IMPORT_FORMATS['online-retail']!, file, { rejectsFile: `${file}.rejects.csv` });
    await segments.refreshSegments(database, { asOf: AS_OF });
    await segments.runClustering(database, { asOf: AS_OF });
    await analytics.fitModel(database, { model: 'bgnbd', calibrationEnd: '2010-12-06', unit: 'week' });
    await analytics.refreshValues(database, { model: 'bgnbd', unit: 'week', horizon: 52 });
    for (const [role, email] of Object.entries(users))
      await createUser(database, { email, role: role as 'admin', password: PASSWORD, name: `Test ${role}` });
    app = await buildServer(database, { logger: createLogger('silent'), rateLimitPerMinute: 100_000 });
    base = await listen(app);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  const contexts: BrowserContext[] = [];
  const apiFailures = new WeakMap<Page, string[]>();
  afterEach(async (ctx) => {
    // A failed test leaves a picture of where it stopped, and must not leave its page running into the next test.
    for (const c of contexts.splice(0)) {
      if (ctx.task.result?.state === 'fail')
        for (const p of c.pages()) {
          await p.screenshot({ path: join(SHOTS, `failed-${ctx.task.name.slice(0, 40)}.png`), fullPage: true });
          // CI keeps the log, not the picture: what the page said, and which API calls failed.
          const alerts = await p.getByRole('alert').allTextContents();
          console.error(`page ${p.url()}; alerts: ${JSON.stringify(alerts)}; failed API calls: ${JSON.stringify(apiFailures.get(p) ?? [])}`);
        }
      await c.close();
    }
  });

  async function newPage(viewport = { width: 1280, height: 860 }): Promise<{ context: BrowserContext; page: Page }> {
    // A laptop by default; the tablet test passes its own size.
    const context = await browser.newContext({ viewport, locale: 'en-GB', acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    const failures: string[] = [];
    apiFailures.set(page, failures);
    page.on('response', (r) => {
      if (r.url().includes('/api/') && r.status() >= 400) failures.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    if (process.env.E2E_DEBUG)
      page.on('response', (r) => r.url().includes('/api/') && console.log(r.status(), r.request().method(), r.url()));
    page.on('pageerror', (e) => {
      throw e;
    });
    return { context, page };
  }

  const login = (page: Page, email: string, password = PASSWORD) => signIn(page, base, email, password);

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it.skipIf(!!process.env.E2E_ONLY)(
    'signs in, opens the heatmap, lists a cell, opens a customer with the API’s figures, switches language, signs out',
    async () => {
      const { page } = await newPage();
      await login(page, users.admin);
      await page.getByTestId('page-overview').waitFor();

      // The headline figures equal the API's, asked for with the same session cookie.
      const ov = await (await page.request.get(`${base}/api/v1/console/overview`)).json();
      await expect.poll(() => page.getByTestId('stat-customers').textContent()).toBe(en(ov.customers));
      expect(await page.getByTestId('stat-active').textContent()).toBe(en(ov.activeCustomers));
      expect(await page.getByTestId('stat-revenue').textContent()).toBe(gbp(ov.revenue));
      expect(await page.getByTestId('stat-receipts').textContent()).toBe(en(ov.receipts));

      // The heatmap is drawn; click the cell with most customers where the user would: at its centre.
      const heatmap = page.getByTestId('rf-heatmap');
      await page.locator('[data-testid="rf-heatmap"][data-ready="true"]').waitFor();
      await shot(page, '01-overview');
      const rfm = await (await page.request.get(`${base}/api/v1/segments/rfm?asOf=${ov.asOf}`)).json();
      const cells = rfm.grid.cells as { key: string; customers: number }[];
      const biggest = cells.reduce((a, b) => (b.customers > a.customers ? b : a));
      const pos = JSON.parse((await heatmap.getAttribute('data-cells'))!) as Record<string, [number, number]>;
      const box = (await heatmap.boundingBox())!;
      await page.mouse.click(box.x + pos[biggest.key]![0], box.y + pos[biggest.key]![1]);
      await page.waitForURL(`**/?cell=${biggest.key}`);
      const list = page.getByTestId('cell-customers');
      await list.getByTestId('customer-link').first().waitFor();
      expect(await list.textContent()).toContain(`of ${en(biggest.customers)} shown`);
      const firstRows = await (
        await page.request.get(`${base}/api/v1/segments/customers?asOf=${ov.asOf}&cell=${biggest.key}&limit=50`)
      ).json();
      expect(await list.getByTestId('customer-link').count()).toBe(firstRows.customers.length);
      await shot(page, '02-overview-cell');

      // Export the whole cell (not only the rows shown): one CSV row per customer of the cell, in the API's order.
      const [file] = await Promise.all([page.waitForEvent('download'), list.getByTestId('export-cell').click()]);
      expect(file.suggestedFilename()).toBe(`segment-${biggest.key}-${ov.asOf}.csv`);
      const exported = Papa.parse<Record<string, string>>(readFileSync((await file.path())!, 'utf8'), { header: true, skipEmptyLines: true });
      expect(exported.errors).toEqual([]);
      expect(exported.data.length).toBe(biggest.customers);
      expect(exported.data[0]!.customer_id).toBe(firstRows.customers[0].customerId);
      expect(new Set(exported.data.map((r) => r.cell))).toEqual(new Set([biggest.key]));

      // Open the first customer of the cell: totals on the page equal the 360 endpoint's.
      const firstId = firstRows.customers[0].customerId as string;
      await list.getByTestId('customer-link').first().click();
      await page.waitForURL(`**/customers/${firstId}`);
      const c360 = await (await page.request.get(`${base}/api/v1/customers/${firstId}/360`)).json();
      const totals = c360.totals.find((t: { currency: string }) => t.currency === 'GBP');
      await expect.poll(() => page.getByTestId('c360-receipts').textContent()).toBe(en(totals.receipts));
      expect(await page.getByTestId('c360-revenue').textContent()).toBe(gbp(totals.revenue));
      expect(await page.getByTestId('c360-timeline').locator('tbody tr').count()).toBe(c360.timeline.receipts.length);
      // The demo has no loyalty program: the 360 says so rather than showing empty points.
      expect(c360.loyalty).toBeNull();
      expect(await page.getByTestId('loyalty-no-program').isVisible()).toBe(true);
      const value = c360.values.find((v: { model: string }) => v.model === 'bgnbd');
      if (value)
        expect(await page.getByTestId('c360-palive').textContent()).toBe(
          new Intl.NumberFormat('en-GB', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value.pAlive),
        );
      await shot(page, '03-customer-360');

      // The other pages render with real data.
      await page.getByTestId('nav-segments').click();
      await page.getByTestId('cell-row-vip').waitFor();
      // The data starts on 2010-12-01: compare its first week with the as-of date.
      await page.getByTestId('migration-from').fill('2010-12-05');
      await page.getByTestId('migration-chart').waitFor();
      await page.getByTestId('cluster').first().waitFor();
      await shot(page, '04-segments');
      await page.getByTestId('nav-value').click();
      await page.locator('[data-testid="clv-histogram"][data-ready="true"]').waitFor();
      await page.getByTestId('fit-by-frequency').waitFor({ timeout: 30_000 });
      await shot(page, '05-customer-value');

      // Upload a receipts file with one bad row: the run finishes and shows that row.
      await page.getByTestId('nav-imports').click();
      const csv = join(SHOTS, 'upload.csv');
      writeFileSync(csv, 'customer_id,date,amount,receipt_id\nE2E-1,2010-12-10,12.50,R-1\nE2E-2,not-a-date,3.00,R-2\n');
      await page.getByTestId('import-file').setInputFiles(csv);
      await page.getByTestId('import-submit').click();
      await page.locator('[data-testid="import-status"][data-status="done"]').waitFor({ timeout: 30_000 });
      await page.getByTestId('rejects').waitFor();
      expect(await page.getByTestId('rejects').textContent()).toContain('not-a-date');
      await shot(page, '06-imports');

      // Russian: the menu and the numbers change, and the choice survives a reload.
      await page.getByTestId('nav-overview').click();
      await page.getByTestId('language').selectOption('ru');
      await expect.poll(() => page.getByTestId('nav-overview').textContent()).toBe('Обзор');
      await page.reload();
      await page.locator('[data-testid="rf-heatmap"][data-ready="true"]').waitFor();
      expect(await page.getByTestId('nav-segments').textContent()).toBe('Сегменты');
      const after = await (await page.request.get(`${base}/api/v1/console/overview`)).json();
      expect(after.customers).toBe(ov.customers + 1); // the uploaded file's one good receipt is a new customer's
      expect(await page.getByTestId('stat-customers').textContent()).toBe(new Intl.NumberFormat('ru-RU').format(after.customers));
      await shot(page, '07-overview-ru');

      await page.getByTestId('logout').click();
      await page.getByTestId('page-login').waitFor();
      expect((await page.request.get(`${base}/api/v1/auth/me`)).status()).toBe(401);
    },
  );

  it('says so when the password is wrong', async () => {
    const { page } = await newPage();
    await login(page, users.admin, 'not the password');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('AUTH_BAD_CREDENTIALS');
    expect(await error.textContent()).toBe('Wrong e-mail or password. Check both and try again.');
    await shot(page, '08-login-wrong-password');
  });

  it('sends an expired session back to the login page with a message', async () => {
    const { page } = await newPage();
    await login(page, users.analyst);
    // Wait until the page has loaded, so that the next request, not one already on its way, meets the expiry.
    await page.locator('[data-testid="rf-heatmap"][data-ready="true"]').waitFor();
    // Time passes: every session of this user reaches its end.
    await database.query(
      `UPDATE staff.sessions SET expires_at = now() - interval '1 second', idle_expires_at = now() - interval '1 second'
       WHERE user_id = (SELECT id FROM staff.users WHERE email = $1)`,
      [users.analyst],
    );
    await page.getByTestId('nav-segments').click();
    const notice = page.getByTestId('login-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toBe('Your session has expired. Please sign in again.');
    expect(page.url()).toContain('/login?next=');
    await shot(page, '09-session-expired');
  });

  it('tells a role without access that it cannot see the page', async () => {
    const { page } = await newPage();
    await login(page, users.till);
    const panel = page.getByTestId('forbidden').first();
    await panel.waitFor();
    expect(await panel.textContent()).toContain('Your role cannot see this page');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('till');
    await shot(page, '10-forbidden');
  });

  it('fits a tablet: no page-wide horizontal scroll, the heatmap still clickable', async () => {
    // iPad Air in portrait; the navigation folds above the page below 900 px.
    const { page } = await newPage({ width: 820, height: 1180 });
    await login(page, users.admin);
    const pages: [string, string][] = [
      ['nav-overview', '[data-testid="rf-heatmap"][data-ready="true"]'],
      ['nav-segments', '[data-testid="cell-row-vip"]'],
      ['nav-value', '[data-testid="clv-histogram"][data-ready="true"]'],
    ];
    for (const [nav, ready] of pages) {
      await page.getByTestId(nav).click();
      await page.locator(ready).waitFor();
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
      expect(widths.scroll, `${nav}: the page scrolls sideways`).toBeLessThanOrEqual(widths.view);
      await shot(page, `11-tablet-${nav.slice(4)}`);
    }
    // A tap on a heatmap cell still lists its customers.
    await page.getByTestId('nav-overview').click();
    const heatmap = page.locator('[data-testid="rf-heatmap"][data-ready="true"]');
    await heatmap.waitFor();
    const pos = JSON.parse((await heatmap.getAttribute('data-cells'))!) as Record<string, [number, number]>;
    const box = (await heatmap.boundingBox())!;
    await page.mouse.click(box.x + pos.vip![0], box.y + pos.vip![1]);
    await page.waitForURL('**/?cell=vip');
    await page.getByTestId('cell-customers').waitFor();
  });
});
