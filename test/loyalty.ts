/** The loyalty program the till and 360 tests run under (RUB, 5% back, tiers, two stacking groups, a three-step ladder). */
export const PROGRAM = {
  currency: 'RUB',
  earn: { basePercent: 5, categoryMultipliers: { alcohol: 0 }, brandMultipliers: {} },
  burn: { pointValue: '1.00', maxSharePercent: 50, excludedCategories: ['tobacco'] },
  lifecycle: { pendingDays: 0, expiryMonths: 12 },
  tiers: {
    windowDays: 365,
    downgradeGraceDays: 30,
    tierGroup: 'loyalty',
    levels: [
      { key: 'silver', name: 'Silver', minSpend: '0' },
      { key: 'gold', name: 'Gold', minSpend: '100000', earnMultiplier: 2, extraDiscountPercent: 5 },
    ],
  },
  stacking: {
    groups: [
      { key: 'promo', mode: 'exclusive', choose: 'best', priority: 1 },
      { key: 'loyalty', mode: 'cumulative', choose: 'best', priority: 2 },
    ],
  },
  ladder: { steps: [{ key: 's3', percent: 3 }, { key: 's5', percent: 5 }, { key: 's10', percent: 10 }], marginPercent: 30 },
};
