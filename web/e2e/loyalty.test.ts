import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/modules/staff/index.ts';
import { createApiKey } from '../../src/platform/http/auth.ts';
import { PROGRAM } from '../../test/loyalty.ts';
import { ANALYST, SHOTS, hasChromium, login, startConsole } from './fixture.ts';

// The loyalty page on a program with sales at the till: the points issued and spent over the period, the partner
// settlement, the program's tiers and the offers with their budgets. The expected figures come from the till's
// answers and the partner's rates, not from the reports the page shows.

const ISSUE_COST = 0.8;
const V2 = {
  ...PROGRAM,
  tiers: {
    ...PROGRAM.tiers,
    levels: [...PROGRAM.tiers.levels, { key: 'platinum', name: 'Platinum', minSpend: '500000', earnMultiplier: 3 }],
  },
};
const BURN_VALUE = 0.9;

describe.skipIf(!hasChromium)('the loyalty page in Chromium (skipped without /usr/bin/chromium)', () => {
  let rig: Awaited<ReturnType<typeof startConsole>>;
  const ADMIN = { email: 'admin@shop.test', password: 'another horse battery' };
  const keys = { admin: '', till: '' };
  /** The API as a key sees it, outside the browser: to read back what the console did. */
  const api = async (key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rig.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const sums = { issued: 0, spent: 0, partnerIssued: 0, partnerBurned: 0 };

  beforeAll(async () => {
    rig = await startConsole(async () => undefined);
    const admin = (keys.admin = (await createApiKey(rig.database, 'admin', 'e2e admin')).secret);
    const till = (keys.till = (await createApiKey(rig.database, 'till', 'e2e till')).secret);
    await createUser(rig.database, { email: ADMIN.email, role: 'admin', password: ADMIN.password, name: 'Test admin' });
    const call = async (key: string, method: string, path: string, body: unknown) => {
      const res = await fetch(`${rig.base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json: unknown = await res.json();
      expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBeLessThan(300);
      return json;
    };
    await call(admin, 'PUT', '/loyalty/program', { config: PROGRAM, note: 'e2e program' });
    await call(admin, 'POST', '/loyalty/partners', {
      code: 'fuel',
      name: 'Fuel partner',
      earnPercent: 2,
      issueCost: String(ISSUE_COST),
      burnValue: String(BURN_VALUE),
      stores: ['P1'],
    });
    await call(admin, 'POST', '/offers', {
      name: 'Coffee -10%',
      rule: { kind: 'volume', minQuantity: 1, discount: { kind: 'percent', percent: 10 } },
      group: 'promo',
      categories: ['coffee'],
      budget: '50.00',
    });
    const old = (await call(admin, 'POST', '/offers', {
      name: 'Old tea offer',
      rule: { kind: 'volume', minQuantity: 2, discount: { kind: 'percent', percent: 5 } },
      group: 'promo',
      categories: ['tea'],
    })) as { id: string };
    await call(admin, 'POST', `/offers/${old.id}/archive`, {});
    for (const card of ['LOY-0001', 'LOY-0002']) await call(admin, 'POST', '/loyalty/cards', { number: card });
    let n = 0;
    const sell = async (card: string, store: string, lines: unknown[], extra: Record<string, unknown> = {}) => {
      const a = (await call(till, 'POST', '/till/receipts', {
        store,
        number: `E2E-${++n}`,
        currency: 'RUB',
        customer: { kind: 'card', value: card },
        lines,
        ...extra,
      })) as { points: { earn: number; redeem: number } };
      sums.issued += a.points.earn;
      sums.spent += a.points.redeem;
      if (store === 'P1') {
        sums.partnerIssued += a.points.earn;
        sums.partnerBurned += a.points.redeem;
      }
    };
    await sell('LOY-0001', 'S1', [{ sku: 'TV', category: 'electronics', unitPrice: '1000.00' }]);
    await sell('LOY-0002', 'S1', [{ sku: 'BEANS', category: 'coffee', unitPrice: '200.00' }]); // the coffee offer: 20.00 of 50.00
    await sell('LOY-0002', 'P1', [{ sku: 'FUEL', category: 'fuel', unitPrice: '3000.00' }]);
    await sell('LOY-0001', 'P1', [{ sku: 'FUEL', category: 'fuel', unitPrice: '500.00' }], { redeemPoints: 20 });
    // A second version of the program, with a third tier: the page shows it, and version 1 on demand.
    await call(admin, 'PUT', '/loyalty/program', { config: V2, note: 'e2e program, platinum' });
  }, 180_000);

  afterAll(() => rig?.close());

  it('shows the points issued and spent, the settlement, the tiers and the offers with their budgets', async () => {
    expect(sums.partnerIssued).toBeGreaterThan(0);
    expect(sums.partnerBurned).toBe(20);
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-GB' });
    const page = await context.newPage();
    const digits = (s: string | null) => (s ?? '').replace(/[^\d.-]/g, '');
    try {
      await login(page, rig.base, ANALYST.email, ANALYST.password);
      await page.getByTestId('nav-loyalty').click();
      await page.locator('[data-testid="points-waterfall"][data-ready="true"]').waitFor();
      expect(digits(await page.getByTestId('points-issued').textContent())).toBe(String(sums.issued));
      expect(digits(await page.getByTestId('points-spent').textContent())).toBe(String(sums.spent));
      // Nothing was outstanding before: what is left is what was issued less what was spent.
      expect(digits(await page.getByTestId('points-outstanding').textContent())).toBe(String(sums.issued - sums.spent));

      await expect.poll(() => page.getByTestId('settlement-row').count()).toBe(1);
      const net = sums.partnerIssued * ISSUE_COST - sums.partnerBurned * BURN_VALUE;
      expect(Number(digits(await page.getByTestId('settlement-net').textContent()))).toBeCloseTo(net, 2);

      expect(await page.getByTestId('tier-row').count()).toBe(V2.tiers.levels.length);
      expect(await page.getByTestId('program-version').textContent()).toMatch(/^Version 2, in force since .* · e2e program, platinum$/);
      await page.getByTestId('program-version-select').selectOption('1');
      await expect
        .poll(() => page.getByTestId('program-version').textContent())
        .toMatch(/^Version 1 of .*, replaced by a later version.* · e2e program$/);
      expect(await page.getByTestId('tier-row').count()).toBe(PROGRAM.tiers.levels.length);
      await page.getByTestId('program-version-select').selectOption('2');
      await expect.poll(() => page.getByTestId('tier-row').count()).toBe(V2.tiers.levels.length);
      await expect.poll(() => page.getByTestId('offer-row').count()).toBe(1);
      expect(await page.getByTestId('offer-budget').textContent()).toMatch(/20\.00.*50\.00 \(40%\)/);
      expect(await page.getByTestId('offer-rule').textContent()).toBe('quantity ≥ 1: −10%');
      await page.getByTestId('offers-archived').check();
      await expect.poll(() => page.getByTestId('offer-row').count()).toBe(2);
      await page.screenshot({ path: `${SHOTS}/30-loyalty.png`, fullPage: true });

      // A period before the program: nothing held, nothing moved, and the page says so instead of drawing an empty chart.
      await page.getByTestId('loyalty-from').fill('2026-01-01');
      await page.getByTestId('loyalty-to').fill('2026-01-31');
      await page.getByTestId('points-none').waitFor();
      expect(await page.getByTestId('points-waterfall').count()).toBe(0);
      expect(digits(await page.getByTestId('points-issued').textContent())).toBe('0');
      await expect.poll(() => page.getByTestId('settlement-net').textContent().then(digits)).toBe('0.00');
    } finally {
      await context.close();
    }
    // In Russian, on a tablet in portrait (the navigation folds above the page): the same page, nothing scrolls sideways.
    const ru = await rig.browser.newContext({ viewport: { width: 820, height: 1180 }, locale: 'ru-RU' });
    const rp = await ru.newPage();
    try {
      await login(rp, rig.base, ANALYST.email, ANALYST.password);
      await rp.getByTestId('nav-loyalty').click();
      await expect.poll(() => rp.locator('h1').textContent()).toBe('Программа лояльности');
      await rp.locator('[data-testid="points-waterfall"][data-ready="true"]').waitFor();
      await expect.poll(() => rp.getByTestId('tier-row').count()).toBe(V2.tiers.levels.length);
      await expect.poll(() => rp.getByTestId('offer-row').count()).toBe(1);
      const widths = await rp.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        view: document.documentElement.clientWidth,
      }));
      expect(widths.scroll, 'the page scrolls sideways').toBeLessThanOrEqual(widths.view);
      // Nor does Try a basket's table of lines inside its frame.
      const lines = await rp
        .getByTestId('basket-lines')
        .evaluate((el) => ({ table: el.scrollWidth, frame: el.parentElement!.clientWidth }));
      expect(lines.table, "the basket's lines scroll sideways").toBeLessThanOrEqual(lines.frame);
      await rp.screenshot({ path: `${SHOTS}/31-loyalty-tablet-ru.png`, fullPage: true });
    } finally {
      await ru.close();
    }
  });

  it('prices a basket from the console as the till would, and names a bad field by its line', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-GB' });
    const page = await context.newPage();
    const digits = (s: string | null) => (s ?? '').replace(/[^\d.-]/g, '');
    const line = async (i: number, v: Record<string, string>) => {
      for (const [field, value] of Object.entries(v)) await page.getByTestId(`basket-${field}`).nth(i).fill(value);
    };
    try {
      await login(page, rig.base, ANALYST.email, ANALYST.password);
      await page.getByTestId('nav-loyalty').click();
      await page.getByTestId('basket-form').waitFor();
      await expect.poll(() => page.getByTestId('basket-store').locator('option').allTextContents()).toEqual(['P1', 'S1']);
      await page.getByTestId('basket-store').selectOption('S1');
      await page.getByTestId('basket-customer').fill('LOY-0001');
      await line(0, { sku: 'BEANS', category: 'coffee', quantity: '2', unitPrice: '100.00', taxRate: '10' });
      await line(1, { sku: 'TV', category: 'electronics', unitPrice: '1000.00' });
      await page.getByTestId('basket-submit').click();
      await page.getByTestId('basket-quote').waitFor();
      // By hand: the coffee offer takes 10% of 200.00; Silver earns 5% of what is paid, 180.00 + 1,000.00, at 1.00 a point.
      expect(await page.getByTestId('basket-who').textContent()).toMatch(/tier Silver/);
      expect(
        await page
          .getByTestId('basket-line-total')
          .allTextContents()
          .then((x) => x.map(digits)),
      ).toEqual(['180.00', '1000.00']);
      expect(digits(await page.getByTestId('basket-discount').textContent())).toBe('20.00');
      expect(digits(await page.getByTestId('basket-total').textContent())).toBe('1180.00');
      expect(digits(await page.getByTestId('basket-earn').textContent())).toBe('59');
      expect(await page.getByTestId('basket-applied').allTextContents()).toEqual([
        expect.stringMatching(/^Coffee -10%.*applied: −.*20\.00$/),
      ]);
      expect(await page.getByTestId('basket-recommended').count()).toBe(1);
      await page.getByTestId('basket').screenshot({ path: `${SHOTS}/32-loyalty-basket.png` });

      // A walk-in gets no points; a quantity that is not a number is named by its line and field, and marked.
      await page.getByTestId('basket-customer').fill('');
      await page.getByTestId('basket-submit').click();
      await expect.poll(() => page.getByTestId('basket-who').textContent()).toMatch(/walk-in/);
      expect(digits(await page.getByTestId('basket-earn').textContent())).toBe('0');
      await line(1, { quantity: 'two' });
      await page.getByTestId('basket-submit').click();
      await page.getByTestId('basket-fields').waitFor();
      expect(await page.getByTestId('basket-fields').textContent()).toMatch(/^Line 2, Quantity: /);
      expect(await page.getByTestId('basket-quantity').nth(1).getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('basket-quantity').nth(0).getAttribute('aria-invalid')).toBe('false');
      expect(await page.getByTestId('basket-quote').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('lets an admin create an offer from the console, see it apply to a basket, and archive it', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-GB' });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    const digits = (s: string | null) => (s ?? '').replace(/[^\d.-]/g, '');
    const tea = async () => {
      await page.getByTestId('basket-store').selectOption('S1');
      await page.getByTestId('basket-sku').nth(0).fill('TEA');
      await page.getByTestId('basket-category').nth(0).fill('tea');
      await page.getByTestId('basket-quantity').nth(0).fill('3');
      await page.getByTestId('basket-unitPrice').nth(0).fill('50.00');
      await page.getByTestId('basket-submit').click();
      await page.getByTestId('basket-quote').waitFor();
    };
    try {
      await login(page, rig.base, ADMIN.email, ADMIN.password);
      await page.getByTestId('nav-loyalty').click();
      await expect.poll(() => page.getByTestId('offer-row').count()).toBe(1);
      await page.getByTestId('offer-new').click();
      // Refused as typed: no name, and a quantity below 1; each is named in words and marked, and nothing is created.
      await page.getByTestId('offer-rule-minQuantity').fill('0');
      await page.getByTestId('offer-priority').fill('');
      await page.getByTestId('offer-save').click();
      await page.getByTestId('offer-fields').waitFor();
      const said = await page.getByTestId('offer-fields').textContent();
      expect(said).toMatch(/Name: /);
      expect(said).toMatch(/From quantity: /);
      // An emptied priority is named too, not taken as the default.
      expect(said).toMatch(/Priority \(lower first\): /);
      await page.getByTestId('offer-priority').fill('100');
      expect(await page.getByTestId('offer-rule-minQuantity').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('offer-row').count()).toBe(1);

      // Three for two on tea: the cheapest of every three is free, so three at 50.00 cost 100.00.
      await page.getByTestId('offer-name').fill('Tea 3 for 2');
      await page.getByTestId('offer-kind').selectOption('bundle');
      await page.getByTestId('offer-rule-buy').fill('3');
      await page.getByTestId('offer-rule-free').fill('1');
      await page.getByTestId('offer-group').selectOption('promo');
      await page.getByTestId('offer-categories').fill('tea');
      await page.getByTestId('offer-save').click();
      await expect.poll(() => page.getByTestId('offer-row').count()).toBe(2);
      expect(await page.getByTestId('offer-form').count()).toBe(0);
      await tea();
      expect(await page.getByTestId('basket-applied').allTextContents()).toEqual([
        expect.stringMatching(/^Tea 3 for 2 .*applied: −.*50\.00$/),
      ]);
      expect(digits(await page.getByTestId('basket-total').textContent())).toBe('100.00');
      await page.screenshot({ path: `${SHOTS}/33-loyalty-offer-created.png`, fullPage: true });

      // Edited: two of every three free. Refused first (as many free as bought), named, and nothing changed.
      await page.getByTestId('offer-row').filter({ hasText: 'Tea 3 for 2' }).getByTestId('offer-edit').click();
      expect(await page.getByTestId('offer-kind').isDisabled()).toBe(true);
      expect(await page.getByTestId('offer-rule-buy').inputValue()).toBe('3');
      await page.getByTestId('offer-rule-free').fill('3');
      await page.getByTestId('offer-save').click();
      await page.getByTestId('offer-fields').waitFor();
      expect(await page.getByTestId('offer-fields').textContent()).toMatch(/Of which free: free must be less than buy/);
      await page.getByTestId('offer-form').screenshot({ path: `${SHOTS}/33-loyalty-offer-edit.png` });
      // A validity that ends before it starts is refused by the server's own check of the offer as it would be; the
      // form marks the field all the same.
      await page.getByTestId('offer-rule-free').fill('2');
      await page.getByTestId('offer-validFrom').fill('2027-01-10');
      await page.getByTestId('offer-validTo').fill('2027-01-01');
      await page.getByTestId('offer-save').click();
      await expect.poll(() => page.getByTestId('offer-fields').textContent()).toMatch(/^Valid until \(the day’s start, UTC\): /);
      expect(await page.getByTestId('offer-validTo').getAttribute('aria-invalid')).toBe('true');
      await page.getByTestId('offer-validFrom').fill('');
      await page.getByTestId('offer-validTo').fill('');
      await page.getByTestId('offer-name').fill('Tea 3 for 1');
      await page.getByTestId('offer-save').click();
      await expect.poll(() => page.getByTestId('offer-form').count()).toBe(0);
      await expect.poll(() => page.getByTestId('offer-row').filter({ hasText: 'Tea 3 for 1' }).count()).toBe(1);
      expect(await page.getByTestId('offer-row').filter({ hasText: 'Tea 3 for 1' }).getByTestId('offer-rule').textContent()).toBe(
        '2 of every 3 free',
      );
      await page.getByTestId('basket-submit').click();
      await expect.poll(() => page.getByTestId('basket-total').textContent().then(digits)).toBe('50.00');
      const edited = ((await api(keys.admin, 'GET', '/offers')).body as { offers: { name: string; rule: unknown }[] }).offers.find(
        (o) => o.name === 'Tea 3 for 1',
      );
      expect(edited).toMatchObject({ rule: { kind: 'bundle', buy: 3, free: 2 }, categories: ['tea'] });
      // Its history names the change, who made it, and the fields before and after, in words.
      await page.getByTestId('offer-row').filter({ hasText: 'Tea 3 for 1' }).getByTestId('offer-history-open').click();
      await expect
        .poll(() => page.getByTestId('offer-change').allTextContents())
        .toEqual([
          expect.stringMatching(/ · Test admin: Name: Tea 3 for 2 → Tea 3 for 1; Rule: 1 of every 3 free → 2 of every 3 free$/),
          // Under it, its making, by the same user.
          expect.stringMatching(
            / · Test admin: Status: — → active; Name: — → Tea 3 for 2; Rule: — → 1 of every 3 free; .*Categories: — → tea$/,
          ),
        ]);
      await page.getByTestId('offer-history-close').click();

      // Archived, it stops applying at once.
      const row = page.getByTestId('offer-row').filter({ hasText: 'Tea 3 for 1' });
      await row.getByTestId('offer-archive').click();
      await expect.poll(() => page.getByTestId('offer-row').count()).toBe(1);
      await page.getByTestId('basket-submit').click();
      await expect.poll(() => page.getByTestId('basket-total').textContent().then(digits)).toBe('150.00');
      expect(await page.getByTestId('basket-applied').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("replaces and blocks a customer's card from the Customer 360 page, the balance following the card", async () => {
    const card = (await api(keys.admin, 'GET', '/loyalty/cards/LOY-0002')).body as { customerId: string };
    const points = async () => {
      const b = (await api(keys.admin, 'GET', `/loyalty/customers/${card.customerId}/points`)).body as { active: number; pending: number };
      return { active: b.active, pending: b.pending };
    };
    const before = await points();
    expect(before.active + before.pending).toBeGreaterThan(0);
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-GB' });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    const row = (n: string) => page.locator(`[data-testid="loyalty-card"][data-number="${n}"]`);
    try {
      // The analyst sees the card, masked, and no actions on it.
      await login(page, rig.base, ANALYST.email, ANALYST.password);
      await page.getByTestId('signed-in-as').waitFor();
      await page.goto(`${rig.base}/customers/${card.customerId}`);
      await row('••••0002').waitFor();
      expect(await page.getByTestId('card-replace').count()).toBe(0);
      await page.getByTestId('logout').click();

      await login(page, rig.base, ADMIN.email, ADMIN.password);
      await page.getByTestId('signed-in-as').waitFor();
      await page.goto(`${rig.base}/customers/${card.customerId}`);
      // A number another card has is refused, and named; nothing changes.
      await row('LOY-0002').getByTestId('card-replace').click();
      await page.getByTestId('card-new-number').fill('LOY-0001');
      await page.getByTestId('card-replace-submit').click();
      await expect.poll(() => page.getByTestId('card-error').getAttribute('data-code')).toBe('LOYALTY_CARD_TAKEN');
      await page.getByTestId('card-new-number').fill('LOY-0002-B');
      await page.getByTestId('card-replace-submit').click();
      await row('LOY-0002-B').waitFor();
      await expect.poll(() => row('LOY-0002').locator('[data-status]').getAttribute('data-status')).toBe('replaced');
      expect(await row('LOY-0002').textContent()).toMatch(/by LOY-0002-B/);
      expect(await points()).toEqual(before);
      const byNew = await api(keys.till, 'POST', '/till/quote', {
        store: 'S1',
        currency: 'RUB',
        customer: { kind: 'card', value: 'LOY-0002-B' },
        lines: [{ sku: 'X', unitPrice: '10.00' }],
      });
      expect((byNew.body.customer as { id: string }).id).toBe(card.customerId);

      await row('LOY-0002-B').getByTestId('card-block').click();
      await expect.poll(() => row('LOY-0002-B').locator('[data-status]').getAttribute('data-status')).toBe('blocked');
      expect(await row('LOY-0002-B').getByTestId('card-block').count()).toBe(0);
      const blocked = await api(keys.till, 'POST', '/till/quote', {
        store: 'S1',
        currency: 'RUB',
        customer: { kind: 'card', value: 'LOY-0002-B' },
        lines: [{ sku: 'X', unitPrice: '10.00' }],
      });
      expect((blocked.body.customer as { reason: string }).reason).toBe('card-blocked');
      expect(await points()).toEqual(before);
      await page.screenshot({ path: `${SHOTS}/34-customer-cards.png` });
    } finally {
      await context.close();
    }
  });

  it('lets an admin edit the program as JSON, refusing text that is not JSON or not a program, and keeps the history', async () => {
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-GB' });
    const page = await context.newPage();
    const quoteEarn = async () => {
      const res = await fetch(`${rig.base}/api/v1/till/quote`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.till}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          store: 'S1',
          currency: 'RUB',
          customer: { kind: 'card', value: 'LOY-0001' },
          lines: [{ sku: 'TV', unitPrice: '1000.00' }],
        }),
      });
      return ((await res.json()) as { points: { earn: number } }).points.earn;
    };
    // 5% back on 1,000.00 at 1.00 a point.
    expect(await quoteEarn()).toBe(50);
    try {
      await login(page, rig.base, ADMIN.email, ADMIN.password);
      await page.getByTestId('nav-loyalty').click();
      await page.getByTestId('program-edit').click();
      const json = page.getByTestId('program-json');
      const text = await json.inputValue();
      const config = JSON.parse(text) as { earn: Record<string, unknown>; lifecycle: Record<string, unknown> };
      expect(config).toMatchObject({ currency: 'RUB', earn: { basePercent: 5 } });
      // The levers read the JSON.
      const rate = page.getByTestId('program-earn-basePercent');
      expect(await rate.inputValue()).toBe('5');
      expect(await page.getByTestId('program-lifecycle-expiryMonths').inputValue()).toBe(String(config.lifecycle.expiryMonths));

      await json.fill(text.slice(0, -1));
      expect(await rate.isDisabled()).toBe(true);
      await page.getByTestId('program-save').click();
      await page.getByTestId('program-not-json').waitFor();
      await json.fill(text.replace('"basePercent": 5', '"basePercent": -1'));
      expect(await rate.inputValue()).toBe('-1');
      await page.getByTestId('program-save').click();
      await page.getByTestId('program-fields').waitFor();
      // Named by the lever's label: the field is one of them.
      expect(await page.getByTestId('program-fields').textContent()).toMatch(/^Points earned, % of the amount paid: /);
      expect(await rate.getAttribute('aria-invalid')).toBe('true');
      expect(await quoteEarn()).toBe(50);

      // Typed key by key, a lever keeps "6.0" on its way to "6.05" while the JSON holds the number; emptied, it leaves
      // the key out.
      await json.fill(text);
      await rate.fill('');
      expect(JSON.parse(await json.inputValue()).earn).not.toHaveProperty('basePercent');
      await rate.pressSequentially('6.05');
      expect(await rate.inputValue()).toBe('6.05');
      expect(JSON.parse(await json.inputValue()).earn.basePercent).toBe(6.05);
      // 6% through the lever: the JSON follows, and nothing else in it changes.
      await rate.fill('6');
      expect(JSON.parse(await json.inputValue())).toEqual({ ...config, earn: { ...config.earn, basePercent: 6 } });
      await page.getByTestId('program-editor').screenshot({ path: `${SHOTS}/35-loyalty-program-editor.png` });
      await page.getByTestId('program-note').fill('e2e: 6% back');
      await page.getByTestId('program-save').click();
      await expect.poll(() => page.getByTestId('program-version').textContent()).toMatch(/^Version 3, in force since .* · e2e: 6% back$/);
      expect(await page.getByTestId('program-editor').count()).toBe(0);
      expect(await quoteEarn()).toBe(60);
      // The version before is still there to read.
      await page.getByTestId('program-version-select').selectOption('2');
      await expect.poll(() => page.getByTestId('program-version').textContent()).toMatch(/^Version 2 of .* · e2e program, platinum$/);
    } finally {
      await context.close();
    }
  });
});
