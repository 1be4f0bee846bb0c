import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/db.ts';
import type { Database } from '../../platform/db/client.ts';
import type { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import * as ledger from './ledger.repository.ts';

// Random sequences of ledger operations on one wallet, against the database, checked after every step against an
// independent model of the lots: the cached balance, the balance summed over the transfers and the model agree, and
// no operation ever overdraws.

type Op =
  | { kind: 'earn'; points: number; pendingDays: 0 | 10 }
  | { kind: 'redeem'; points: number }
  | { kind: 'reverse'; lot: number; points: number }
  | { kind: 'wait'; days: number }
  | { kind: 'activate' }
  | { kind: 'expire' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('earn' as const), points: fc.integer({ min: 1, max: 500 }), pendingDays: fc.constantFrom(0 as const, 10 as const) }),
  fc.record({ kind: fc.constant('redeem' as const), points: fc.integer({ min: 1, max: 800 }) }),
  fc.record({ kind: fc.constant('reverse' as const), lot: fc.nat(20), points: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 200 }) }),
  fc.constant({ kind: 'activate' as const }),
  fc.constant({ kind: 'expire' as const }),
);

type ModelLot = { lotId: string; receiptId: string; points: number; left: number; active: boolean; activatesAt: number; expiresAt: number };

const DAY = 86_400_000;

describe('the points ledger', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('keeps the balance equal to the sum of its entries and to a model of the lots, and never overdraws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const owner = newId('customer');
        const lots: ModelLot[] = [];
        // Each run has its own far-apart timeline, so the global activation and expiry jobs do not disturb others.
        let now = Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 1e6) * DAY;
        const expected = () => ({
          active: lots.filter((l) => l.active).reduce((a, l) => a + l.left, 0),
          pending: lots.filter((l) => !l.active).reduce((a, l) => a + l.left, 0),
        });
        for (const o of ops) {
          if (o.kind === 'earn') {
            const receiptId = newId('receipt');
            const { lotId } = await database.transaction((s) =>
              ledger.earn(s, { owner, actor: owner, points: o.points, cause: `earn:${receiptId}`, receiptId, partnerCode: null, at: new Date(now), pendingDays: o.pendingDays, expiryMonths: 1 }),
            );
            const expiresAt = new Date(now);
            expiresAt.setUTCMonth(expiresAt.getUTCMonth() + 1);
            lots.push({ lotId, receiptId, points: o.points, left: o.points, active: o.pendingDays === 0, activatesAt: now + o.pendingDays * DAY, expiresAt: expiresAt.getTime() });
          } else if (o.kind === 'redeem') {
            const can = expected().active;
            const tried = database.transaction((s) => ledger.redeem(s, { owner, actor: owner, points: o.points, cause: `redeem:${newId('receipt')}`, receiptId: null }));
            if (o.points > can) {
              const e = await tried.then(() => undefined, (x: unknown) => x);
              expect((e as AppError).code).toBe('LOYALTY_INSUFFICIENT_POINTS');
            } else {
              await tried;
              // Soonest-expiring active lots first, ties by lot id.
              let rest = o.points;
              for (const l of lots.filter((x) => x.active && x.left > 0).sort((a, b) => a.expiresAt - b.expiresAt || (a.lotId < b.lotId ? -1 : 1))) {
                const take = Math.min(l.left, rest);
                l.left -= take;
                rest -= take;
              }
            }
          } else if (o.kind === 'reverse') {
            const lot = lots[o.lot % Math.max(1, lots.length)];
            if (!lot) continue;
            const r = await database.transaction((s) => ledger.reverseEarned(s, { owner, receiptId: lot.receiptId, points: o.points, cause: `reverse:${newId('receipt')}` }));
            const take = Math.min(lot.left, o.points);
            expect(r).toEqual({ reversed: take, shortfall: o.points - take });
            lot.left -= take;
          } else if (o.kind === 'wait') {
            now += o.days * DAY;
          } else if (o.kind === 'activate') {
            await database.transaction((s) => ledger.activateDue(s, new Date(now), 100_000));
            for (const l of lots) if (!l.active && l.activatesAt <= now) l.active = true;
          } else {
            await database.transaction((s) => ledger.expireDue(s, new Date(now), 100_000));
            for (const l of lots) if (l.expiresAt <= now) l.left = 0;
          }
          const cached = await ledger.cachedBalance(database, owner);
          const summed = await ledger.ledgerBalance(database, owner);
          expect(summed).toEqual(cached);
          expect(cached).toEqual(expected());
          expect(cached.active).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 30 },
    );
  });
});
