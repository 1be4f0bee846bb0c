import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/db.ts';
import type { Database } from '../../platform/db/client.ts';
import * as repo from './loyalty.repository.ts';

// The tier a receipt earns at once (addTierSpend): one statement that adds the spend and upgrades, never downgrades.
const LEVELS: repo.TierLevel[] = [
  { key: 'silver', minSpendMinor: 50_000, minPurchases: 0 },
  { key: 'gold', minSpendMinor: 200_000, minPurchases: 3 },
];
const at = (day: number) => new Date(Date.UTC(2031, 0, day));

describe('tiers at the till', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  const row = async (id: string) =>
    (
      await database.query<{ tier: string; since: string; spend: number; purchases: number; below: string | null }>(
        `SELECT tier, since::text AS since, spend_minor AS spend, purchases, below_since::text AS below FROM loyalty.customer_tiers WHERE customer_id = $1`,
        [id],
      )
    )[0];
  const add = (rs: { customerId: string; spendMinor: number; at: Date }[]) => database.transaction((s) => repo.addTierSpend(s, rs, LEVELS));

  it('adds spend and purchases, and upgrades when the totals reach a level, dated by the latest receipt', async () => {
    await add([{ customerId: 'tier-a', spendMinor: 10_000, at: at(1) }]);
    expect(await row('tier-a')).toMatchObject({ tier: 'none', spend: 10_000, purchases: 1 });
    // Two receipts in one call: 10,000 + 30,000 + 20,000 = 60,000 reaches silver (gold needs 200,000 and 3 purchases).
    await add([
      { customerId: 'tier-a', spendMinor: 30_000, at: at(2) },
      { customerId: 'tier-a', spendMinor: 20_000, at: at(3) },
    ]);
    const silver = await row('tier-a');
    expect(silver).toMatchObject({ tier: 'silver', spend: 60_000, purchases: 3 });
    expect(new Date(silver!.since).getTime()).toBe(at(3).getTime());
    // Gold's spend is reached on the fourth purchase (its purchase count was reached before).
    await add([{ customerId: 'tier-a', spendMinor: 150_000, at: at(4) }]);
    expect(await row('tier-a')).toMatchObject({ tier: 'gold', spend: 210_000, purchases: 4 });
  });

  it('starts a new customer at the highest level the first receipts reach, and never downgrades', async () => {
    await add([{ customerId: 'tier-b', spendMinor: 70_000, at: at(5) }]);
    expect(await row('tier-b')).toMatchObject({ tier: 'silver', spend: 70_000, purchases: 1 });
    // A customer the tier job put in gold and marked as below since, with spend below silver's now: a receipt adds
    // its spend, leaves the tier and the mark alone (only the job downgrades), and dates nothing.
    await database.query(
      `INSERT INTO loyalty.customer_tiers (customer_id, tier, since, spend_minor, purchases, evaluated_at, below_since)
       VALUES ('tier-c', 'gold', $1, 1000, 1, $1, $1)`,
      [at(1)],
    );
    await add([{ customerId: 'tier-c', spendMinor: 5_000, at: at(6) }]);
    const c = await row('tier-c');
    expect(c).toMatchObject({ tier: 'gold', spend: 6_000, purchases: 2 });
    expect(new Date(c!.since).getTime()).toBe(at(1).getTime());
    expect(c!.below).not.toBeNull();
    // A tier the program no longer has ranks below every level: the totals' level replaces it, and the mark goes.
    await database.query(`UPDATE loyalty.customer_tiers SET tier = 'platinum-retired' WHERE customer_id = 'tier-c'`);
    await add([{ customerId: 'tier-c', spendMinor: 50_000, at: at(7) }]);
    expect(await row('tier-c')).toMatchObject({ tier: 'silver', spend: 56_000, purchases: 3, below: null });
  });
});
