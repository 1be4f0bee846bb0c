import * as experiments from '../../experiments/index.ts';

/** One member's response in the attribution window: 0/1 purchase and revenue (major units). */
export type MemberOutcome = { arm: 'treated' | 'control'; segment: string; variantKey: string; converted: boolean; revenue: number };

export type MoneyInputs = {
  marginPercent: number;
  /** Cost of the messages sent, in major units. */
  messages: number;
  /** Discount per converting treated member, by variant key (major units). */
  discountOf(variantKey: string): number;
  /** Points value per converting treated member, by variant key (major units). */
  pointsOf(variantKey: string): number;
};

const ci = (i: { estimate: number; low: number; high: number }) => ({ estimate: i.estimate, low: i.low, high: i.high });

function arm(rows: readonly MemberOutcome[], marginPercent: number) {
  const n = rows.length;
  const conversions = rows.filter((r) => r.converted).length;
  const revenue = rows.reduce((a, r) => a + r.revenue, 0);
  const perCustomer = n > 0 ? revenue / n : 0;
  return {
    n,
    conversions,
    conversionRate: n > 0 ? conversions / n : 0,
    conversionCi: n > 0 ? ci(experiments.wilsonInterval(conversions, n)) : { estimate: 0, low: 0, high: 0 },
    revenue,
    revenuePerCustomer: perCustomer,
    marginPerCustomer: (perCustomer * marginPercent) / 100,
  };
}

/** The mixing distribution's standard deviation: differences in conversion of about 2 points are what it detects best. */
export const SEQUENTIAL_TAU = 0.02;
const SEQUENTIAL_METHOD = 'mSPRT with a normal mixture (Johari, Pekelis and Walsh), tau 0.02: valid under continuous monitoring';

/**
 * The campaign's result from its members' outcomes: per arm, the treated − control effects (Newcombe for
 * conversion, Welch for revenue per customer), the same per segment (a segment is harmed only when its whole
 * interval is below zero), and the money: incremental margin = (margin per treated − margin per control customer) ×
 * treated customers, against the cost of messages, discounts and points given; ROI = incremental margin ÷ cost.
 */
/** Effects need at least {@link experiments.MIN_ARM_SIZE} members in each arm; with fewer they are null. */
export function computeReport(rows: readonly MemberOutcome[], money: MoneyInputs) {
  const treated = rows.filter((r) => r.arm === 'treated');
  const control = rows.filter((r) => r.arm === 'control');
  const t = arm(treated, money.marginPercent);
  const c = arm(control, money.marginPercent);
  const enough = t.n >= experiments.MIN_ARM_SIZE && c.n >= experiments.MIN_ARM_SIZE;
  const conversion = enough ? ci(experiments.newcombeDifference(t.conversions, t.n, c.conversions, c.n)) : null;
  // For those who open the report every day: the mSPRT's interval and p-value stay valid however often one looks
  // (Johari, Pekelis and Walsh), at the price of a wider interval than Newcombe's fixed-horizon one.
  const look = enough ? experiments.proportionLook({ n: t.n, successes: t.conversions }, { n: c.n, successes: c.conversions }) : null;
  const seq = look && look.variance > 0 ? experiments.updateSequentialTest(experiments.startSequentialTest({ tau: SEQUENTIAL_TAU }), look) : null;
  const conversionAlwaysValid = seq
    ? { estimate: look!.estimate, low: seq.low, high: seq.high, pValue: seq.pValue, tau: SEQUENTIAL_TAU, method: SEQUENTIAL_METHOD }
    : null;
  const revenue = enough
    ? ci(
        experiments.welchDifference(
          experiments.summarize(treated.map((r) => r.revenue)),
          experiments.summarize(control.map((r) => r.revenue)),
        ),
      )
    : null;
  const m = money.marginPercent / 100;
  const incrementalMargin = revenue
    ? { estimate: revenue.estimate * m * t.n, low: revenue.low * m * t.n, high: revenue.high * m * t.n }
    : null;
  const converted = treated.filter((r) => r.converted);
  const discounts = converted.reduce((a, r) => a + money.discountOf(r.variantKey), 0);
  const points = converted.reduce((a, r) => a + money.pointsOf(r.variantKey), 0);
  const total = money.messages + discounts + points;
  const segmentRows = (pick: (r: MemberOutcome) => number) =>
    rows.map((r) => ({ segment: r.segment, treated: r.arm === 'treated', outcome: pick(r) }));
  const variants = new Map<string, { key: string; n: number; conversions: number }>();
  for (const r of treated) {
    const v = variants.get(r.variantKey) ?? { key: r.variantKey, n: 0, conversions: 0 };
    v.n++;
    if (r.converted) v.conversions++;
    variants.set(r.variantKey, v);
  }
  return {
    arms: { treated: t, control: c },
    effects: { conversion, conversionAlwaysValid, revenuePerCustomer: revenue },
    segments: {
      conversion: experiments.segmentEffects(
        segmentRows((r) => (r.converted ? 1 : 0)),
        'binary',
      ),
      revenuePerCustomer: experiments.segmentEffects(
        segmentRows((r) => r.revenue),
        'continuous',
      ),
    },
    variants: [...variants.values()].sort((a, b) => a.key.localeCompare(b.key)),
    money: {
      marginPercent: money.marginPercent,
      incrementalMargin,
      costs: { messages: money.messages, discounts, points, total },
      roi: total > 0 && incrementalMargin ? incrementalMargin.estimate / total : null,
    },
  };
}
