import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../../test/db.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import * as offers from '../../modules/offers/index.ts';
import type { Database, Queryable, Session } from '../../platform/db/client.ts';
import { newId } from '../../platform/ids.ts';

// A till group's first try sends COMMIT behind its statements (Session.commitAhead), so the statements must fail by
// themselves when a claim falls short: nothing can be checked in the application before the COMMIT. These tests
// drive the claims committed ahead directly, and check that each shortfall rolls the whole transaction back with
// its own error, that what holds commits, and that the careful way (COMMIT after the answers) still reports instead.
// The last test checks the group's reads of the offers' budgets and uses: one round, not two.
describe(`claims committed ahead (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  /**
   * Runs `send` in a pipelined transaction whose COMMIT leaves right behind what it sent. With `scans`, the server
   * may not use an index or a nested loop, so that a check that could be pushed down to a table's scan would see
   * every row of it, not only the ones claimed.
   */
  const ahead = <T>(send: (s: Session) => Promise<T>, opts: { scans?: boolean } = {}) =>
    database.transaction(
      async (s) => {
        if (opts.scans)
          for (const setting of ['enable_indexscan', 'enable_bitmapscan', 'enable_nestloop', 'enable_indexonlyscan'])
            void s.query(`SET LOCAL ${setting} = off`);
        const out = send(s);
        s.commitAhead();
        return out;
      },
      { pipeline: true },
    );

  /** An active offer with a budget (and what is spent of it) or a per-customer limit, in SQL: the claims need exact states. */
  const insertOffer = async (id: string, o: { budget?: number; spent?: number; limit?: number }) => {
    await database.query(
      `INSERT INTO offers.offers (id, name, kind, rule, group_key, priority, budget_minor, per_customer_limit, status)
       VALUES ($1, $1, 'volume', '{}', 'g', 1, $2, $3, 'active')`,
      [id, o.budget ?? null, o.limit ?? null],
    );
    if (o.budget !== undefined)
      await database.query(`INSERT INTO offers.budgets (offer_id, spent_minor) VALUES ($1, $2)`, [id, o.spent ?? 0]);
  };

  const balance = async (owner: string) =>
    (await database.query<{ active: number }>(`SELECT active FROM loyalty.balances WHERE customer_id = $1`, [owner]))[0]?.active;
  const transfers = async (owner: string) =>
    (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM loyalty.transfers WHERE customer_id = $1`, [owner]))[0]!.n;

  const earn = (owner: string, points: number) =>
    database.transaction((s) =>
      loyalty.earnMany(s, [
        {
          owner,
          actor: owner,
          points,
          cause: 'test',
          receiptId: null,
          partnerCode: null,
          at: new Date(),
          pendingDays: 0,
          expiryMonths: 12,
        },
      ]),
    );
  const redemption = (owner: string, points: number) => ({ owner, actor: owner, points, cause: 'test:redeem', receiptId: null });

  it('redeems within the balance, and an overdraw breaks the balance check with nothing written', async () => {
    const owner = newId('customer');
    await earn(owner, 100);
    const before = await transfers(owner);

    await expect(ahead((s) => loyalty.redeemMany(s, [redemption(owner, 150)], { ahead: true }))).rejects.toMatchObject({ code: '23514' });
    expect(await balance(owner)).toBe(100);
    expect(await transfers(owner)).toBe(before);

    const [r] = await ahead((s) => loyalty.redeemMany(s, [redemption(owner, 60)], { ahead: true }));
    expect(r).toMatchObject({ ok: true, activeAfter: 40, lots: [{ points: 60 }] });
    expect(await balance(owner)).toBe(40);
    expect(await transfers(owner)).toBe(before + 1);

    // The careful way reports the shortfall instead, and its caller rolls back.
    const [refused] = await database.transaction((s) => loyalty.redeemMany(s, [redemption(owner, 41)]), { pipeline: true });
    expect(refused).toEqual({ ok: false });
  });

  it('fails (PT001) when the lots do not cover a redemption the balance allows: a ledger out of step writes nothing', async () => {
    const owner = newId('customer');
    // A balance row with no lot behind it: what a bug would leave.
    await database.query(`INSERT INTO loyalty.balances (customer_id, active, pending) VALUES ($1, $2, 0)`, [owner, 50]);
    await expect(ahead((s) => loyalty.redeemMany(s, [redemption(owner, 30)], { ahead: true }))).rejects.toMatchObject({
      code: 'PT001',
      message: `ledger: the lots of wallet ${owner} do not cover 30 points`,
    });
    expect(await balance(owner)).toBe(50);
    expect(await transfers(owner)).toBe(0);
  });

  it('claims budgets and per-customer uses, and fails (PT001) on a budget run out or a limit reached, whatever else is short', async () => {
    const [roomy, spent, once] = [newId('offer'), newId('offer'), newId('offer')];
    await insertOffer(roomy, { budget: 100, spent: 0 });
    await insertOffer(spent, { budget: 10, spent: 10 });
    await insertOffer(once, { limit: 1 });
    const customer = newId('customer');
    const spentOf = async (id: string) =>
      (await database.query<{ s: number }>(`SELECT spent_minor AS s FROM offers.budgets WHERE offer_id = $1`, [id]))[0]!.s;
    const claim = (applied: { offerId: string; discountMinor: number }[]) =>
      ahead((s) => offers.claimOffersMany(s, [{ customerId: customer, applied }], { ahead: true }), { scans: true });

    // Another offer's budget is spent: a claim that does not use it goes through.
    expect(await claim([{ offerId: roomy, discountMinor: 50 }])).toEqual([{ exhausted: [] }]);
    expect(await spentOf(roomy)).toBe(50);

    await expect(claim([{ offerId: roomy, discountMinor: 60 }])).rejects.toMatchObject({
      code: 'PT001',
      message: `offers: the budget of ${roomy} ran out`,
    });
    expect(await spentOf(roomy)).toBe(50);

    expect(await claim([{ offerId: once, discountMinor: 0 }])).toEqual([{ exhausted: [] }]);
    await expect(
      claim([
        { offerId: roomy, discountMinor: 10 },
        { offerId: once, discountMinor: 0 },
      ]),
    ).rejects.toMatchObject({
      code: 'PT001',
      message: `offers: ${customer} reached the limit of ${once}`,
    });
    // All or nothing: the budget claimed beside the refused use is not spent.
    expect(await spentOf(roomy)).toBe(50);

    // The careful way names what ran out instead.
    const careful = await database.transaction(
      (s) =>
        offers.claimOffersMany(s, [
          {
            customerId: customer,
            applied: [
              { offerId: roomy, discountMinor: 60 },
              { offerId: spent, discountMinor: 1 },
            ],
          },
        ]),
      { pipeline: true },
    );
    expect(careful).toEqual([{ exhausted: [roomy, spent].sort() }]);
  });

  it("reads a commit's fresh budgets and the customers' uses in one round: both statements leave before either answer", async () => {
    const [budgeted, limited] = [newId('offer'), newId('offer')];
    await insertOffer(budgeted, { budget: 100, spent: 30 });
    await insertOffer(limited, { limit: 2 });
    const customer = newId('customer');
    await database.query(`INSERT INTO offers.customer_uses (customer_id, offer_id, uses) VALUES ($1, $2, 1)`, [customer, limited]);
    // The offers as the till keeps them (cached per database); the budget is spent further after they are read, so
    // that only a fresh read can see what is left now.
    const active = await offers.activeOffers(database);
    const cached = [budgeted, limited].flatMap((id) => active.filter((o) => o.id === id));
    expect(cached.map((o) => [o.id, o.budgetRemainingMinor])).toEqual([
      [budgeted, 70],
      [limited, null],
    ]);
    await database.query(`UPDATE offers.budgets SET spent_minor = 40 WHERE offer_id = $1`, [budgeted]);
    // The real database, with a record of how many statements had been sent when the first answer came back.
    let sent = 0;
    let sentAtFirstAnswer: number | undefined;
    const recorded: Queryable = {
      db: database.db,
      query: (text, params) => {
        sent++;
        return database.query(text, params).then((rows) => {
          sentAtFirstAnswer ??= sent;
          return rows as never[];
        });
      },
    };
    const [inForce] = await offers.offersInForceMany(cached, recorded, [{ store: 'S1', at: new Date(), customerId: customer }], {
      freshBudgets: true,
    });
    expect(sent).toBe(2);
    expect(sentAtFirstAnswer).toBe(2);
    expect(inForce!.map((o) => [o.id, o.budgetRemainingMinor, o.customerUses])).toEqual([
      [budgeted, 60, 0],
      [limited, null, 1],
    ]);
  });
});
