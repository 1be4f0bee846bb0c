import * as loyalty from '../../modules/loyalty/index.ts';
import * as offers from '../../modules/offers/index.ts';
import { allocate } from '../../platform/allocate.ts';
import { AppError } from '../../platform/errors.ts';
import { decimalToMinor, minorToDecimal, parseDecimal } from '../../platform/money.ts';
import type { Inputs, Reference, TillCustomer } from './gather.ts';
import type { PricedResponse, QuoteBody } from './till.contract.ts';

// The till's pricing, shared by the quote and the commit: the same basket and the same state give the same answer.
// `priceWith` is pure: what it needs from the database, `gather` (gather.ts) reads for a whole group of baskets.

export type Fail = { field: string; message: string };

function invalid(fields: Fail[]): AppError {
  return new AppError('VALIDATION_FAILED', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
}

type Line = offers.BasketLine & { quantityText: string };

/** The basket in minor units; every bad field is named (lines.2.quantity), and nothing is read before it is valid. */
export function parseBasket(body: Pick<QuoteBody, 'lines' | 'currency'>, programCurrency: string): Line[] {
  if (body.currency !== programCurrency)
    throw new AppError('LOYALTY_CURRENCY_MISMATCH', `currency: the basket is in ${body.currency}, the program in ${programCurrency}.`, {
      fields: [{ field: 'currency', message: `must be ${programCurrency}` }],
    });
  const fails: Fail[] = [];
  const seen = new Set<number>();
  const lines = body.lines.map((l, i) => {
    const lineNo = l.lineNo ?? i + 1;
    if (seen.has(lineNo)) fails.push({ field: `lines.${i}.lineNo`, message: `${lineNo} appears twice` });
    seen.add(lineNo);
    const q = parseDecimal(l.quantity);
    const quantity = Number(l.quantity);
    if (!q || !(quantity > 0)) fails.push({ field: `lines.${i}.quantity`, message: `must be above 0, got ${l.quantity}` });
    else if (q.scale > 3) fails.push({ field: `lines.${i}.quantity`, message: 'at most 3 decimals' });
    const price = decimalToMinor(l.unitPrice, body.currency);
    if (price === undefined || price < 0)
      fails.push({
        field: `lines.${i}.unitPrice`,
        message: `must be a non-negative amount in ${body.currency} with at most its decimals, got ${l.unitPrice}`,
      });
    const tax = Number(l.taxRate);
    if (!(tax >= 0 && tax <= 100))
      fails.push({ field: `lines.${i}.taxRate`, message: `must be a percent from 0 to 100, got ${l.taxRate}` });
    return {
      lineNo,
      sku: l.sku,
      category: l.category ?? null,
      brand: l.brand ?? null,
      quantity,
      quantityText: l.quantity,
      unitPriceMinor: price ?? 0,
      taxRatePercent: tax,
    };
  });
  if (fails.length > 0) throw invalid(fails);
  return lines;
}

export type Priced = {
  response: PricedResponse;
  program: loyalty.Program;
  customer: TillCustomer;
  wallet: loyalty.Wallet | null;
  partner: loyalty.Partner | null;
  /**
   * Per line: money paid, points redeemed and their value, certificate amounts by code. The commit stores these and
   * renders the answer's lines from them (lineDto), so that a replay answers the same without storing both.
   */
  lines: PricedLine[];
  redeemPoints: number;
  earnPoints: number;
  certificateUse: { code: string; amountMinor: number }[];
  applied: { offerId: string; discountMinor: number }[];
  ladderStep: string | null;
  ladderObservations: { step: string; successes: number; failures: number }[];
};

export type PricedLine = {
  lineNo: number;
  sku: string;
  quantityText: string;
  unitPriceMinor: number;
  /** Before any discount. */
  amountMinor: number;
  /** Offers' and the ladder step's discounts together. */
  discountMinor: number;
  ladderMinor: number;
  /** After the discounts. */
  totalMinor: number;
  /** The VAT included in totalMinor. */
  taxMinor: number;
  paidMinor: number;
  redeemedPoints: number;
  redeemedMinor: number;
  earned: number;
  offerShares: { offerId: string; discountMinor: number }[];
  certificates: { code: string; amountMinor: number }[];
};

/** The answer's line, in the currency's decimals: the quote's, the commit's, and a replay's from the stored line. */
export function lineDto(l: PricedLine, currency: string): PricedResponse['lines'][number] {
  const m = (x: number) => minorToDecimal(x, currency);
  return {
    lineNo: l.lineNo,
    sku: l.sku,
    quantity: l.quantityText,
    amount: m(l.amountMinor),
    discount: m(l.discountMinor),
    total: m(l.totalMinor),
    tax: m(l.taxMinor),
    offers: l.offerShares.map((a) => ({ offerId: a.offerId, discount: m(a.discountMinor) })),
    ladderDiscount: m(l.ladderMinor),
    pointsRedeemed: l.redeemedPoints,
    paidWithPoints: m(l.redeemedMinor),
    paidWithCertificates: m(l.certificates.reduce((s, c) => s + c.amountMinor, 0)),
    due: m(l.paidMinor),
    pointsEarned: l.earned,
  };
}

export type PriceOptions = {
  /** The pricing time: offers' validity, birthday windows. */
  at: Date;
  /** When the certificates are paid with (a commit by a quote: now, where `at` is the quote's); defaults to `at`. */
  paidAt?: Date;
  ladderStep?: string | undefined;
  exclude?: readonly string[];
  strict: boolean;
};

/**
 * Prices a basket for a customer at a store and time from what gather read; pure. `ladderStep` applies an accepted
 * step (commit); `exclude` leaves out offers whose budget or limit ran out during a commit. Errors:
 * LOYALTY_INSUFFICIENT_POINTS when more points are asked than the wallet and the receipt allow,
 * LOYALTY_UNKNOWN_CUSTOMER for points without a customer, LOYALTY_LADDER_STEP_UNKNOWN, LOYALTY_CERTIFICATE_INVALID
 * (commit only; a quote reports it per certificate).
 */
export function priceWith(reference: Reference, body: QuoteBody, inputs: Inputs, opts: PriceOptions): Priced {
  const ref = reference.loyalty;
  const program = loyalty.requireProgram(ref.program);
  const cfg = program.config;
  const cur = cfg.currency;
  const basket = parseBasket(body, cur);
  const customer = inputs.customer;
  if (body.redeemPoints > 0 && !customer.id)
    throw new AppError('LOYALTY_UNKNOWN_CUSTOMER', `redeemPoints: points need a known customer (${customer.reason}).`, {
      fields: [{ field: 'redeemPoints', message: 'no known customer' }],
    });
  const wallet = customer.wallet;
  const inForce = inputs.inForce;
  const cell = inputs.cell;
  const partner = ref.partnersByStore.get(body.store);
  const certs = inputs.certificates;
  const priors = ref.priors;

  // Tier privileges become a 'tier' offer in the program's tier group.
  const tierCfg = wallet?.tier ? cfg.tiers.levels.find((t) => t.key === wallet.tier) : undefined;
  const all: offers.Offer[] = inForce.filter((o) => !opts.exclude?.includes(o.id));
  if (tierCfg && tierCfg.extraDiscountPercent > 0)
    all.push({
      id: `tier:${tierCfg.key}`,
      name: tierCfg.name,
      rule: { kind: 'tier', tiers: [tierCfg.key], discount: { kind: 'percent', percent: tierCfg.extraDiscountPercent } },
      group: cfg.tiers.tierGroup,
      priority: 0,
      validFrom: null,
      validTo: null,
      stores: null,
      categories: null,
      maxDiscountMinor: null,
      budgetRemainingMinor: null,
      perCustomerLimit: null,
      customerUses: 0,
    });
  const ctx: offers.PricingContext = {
    at: opts.at,
    store: body.store,
    customer: customer.id
      ? {
          id: customer.id,
          tier: wallet?.tier ?? null,
          birthDate: inputs.birthDate,
          cell: cell?.cell ?? null,
          rfmSegment: cell?.rfmSegment ?? null,
        }
      : null,
  };
  const priced = offers.priceBasket(basket, all, cfg.stacking.groups, ctx);

  // The ladder, its cost per step, and this customer's probability of buying at each step.
  const ladder = offers.buildLadder(priced, basket, cfg.ladder.steps, cfg.ladder.excludedCategories);
  const keys = ladder.map((s) => s.key);
  if (opts.ladderStep !== undefined && !keys.includes(opts.ladderStep))
    throw new AppError('LOYALTY_LADDER_STEP_UNKNOWN', `ladderStep: '${opts.ladderStep}' is not one of ${keys.join(', ')}.`, {
      fields: [{ field: 'ladderStep', message: 'unknown step' }],
    });
  const marginMinor = Math.round((priced.totals.totalMinor * cfg.ladder.marginPercent) / 100);
  const probs =
    customer.id && cfg.ladder.steps.length > 0
      ? loyalty.buyProbabilities(keys, priors.get(cell?.cell ?? '') ?? {}, wallet?.ladder ?? {}, cfg.ladder.priorStrength)
      : null;
  const options = ladder.map((s) => ({ key: s.key, costMinor: s.costMinor, pBuy: probs?.find((p) => p.key === s.key)?.pBuy ?? 0 }));
  const recommended = probs ? loyalty.recommend(options, marginMinor).key : null;
  const accepted = opts.ladderStep ? ladder.find((s) => s.key === opts.ladderStep)! : null;

  // Line totals after the accepted ladder step.
  const after = priced.lines.map((l) => {
    const extra = accepted?.allocations.find((a) => a.lineNo === l.lineNo)?.discountMinor ?? 0;
    // Each field named: a spread of the engine's line cost more than the rest of this loop.
    return {
      lineNo: l.lineNo,
      amountMinor: l.amountMinor,
      discountMinor: l.discountMinor,
      taxMinor: l.taxMinor,
      allocations: l.allocations,
      ladderMinor: extra,
      totalMinor: l.totalMinor - extra,
    };
  });
  const info = new Map(basket.map((b) => [b.lineNo, b]));
  const forBurn = after.map((l) => ({ lineNo: l.lineNo, category: info.get(l.lineNo)!.category, totalMinor: l.totalMinor }));

  // Points to pay with.
  const burn: loyalty.BurnConfig = {
    pointValueMinor: program.pointValueMinor,
    maxSharePercent: cfg.burn.maxSharePercent,
    excludedCategories: cfg.burn.excludedCategories,
  };
  const redeemable = wallet ? loyalty.maxRedeemable(forBurn, burn, wallet.active) : 0;
  if (body.redeemPoints > redeemable)
    throw new AppError(
      'LOYALTY_INSUFFICIENT_POINTS',
      `redeemPoints: ${body.redeemPoints} asked, at most ${redeemable} on this receipt (balance ${wallet?.active ?? 0}).`,
      {
        fields: [{ field: 'redeemPoints', message: `at most ${redeemable}` }],
        available: redeemable,
      },
    );
  const redemption = body.redeemPoints > 0 ? loyalty.allocateRedemption(forBurn, burn, body.redeemPoints) : [];
  const redeemedBy = new Map(redemption.map((r) => [r.lineNo, r]));

  // Certificates pay what is left on the lines of their categories, in the order given.
  const leftByLine = new Map(after.map((l) => [l.lineNo, l.totalMinor - (redeemedBy.get(l.lineNo)?.amountMinor ?? 0)]));
  const certUse: { code: string; amountMinor: number; byLine: Map<number, number> }[] = [];
  const certDtos: PricedResponse['certificates'] = [];
  for (const code of body.certificates) {
    const c = certs.find((x) => x.code === code);
    const why = !c
      ? 'unknown'
      : c.currency !== cur
        ? `in ${c.currency}`
        : new Date(c.expiresAt) <= (opts.paidAt ?? opts.at)
          ? 'expired'
          : Number(c.remainingMinor) <= 0
            ? 'spent'
            : null;
    const remaining = c ? Number(c.remainingMinor) : 0;
    if (why) {
      if (opts.strict)
        throw new AppError('LOYALTY_CERTIFICATE_INVALID', `certificates: ${code} is ${why}.`, {
          fields: [{ field: 'certificates', message: `${code} is ${why}` }],
        });
      certDtos.push({
        code,
        usable: false,
        reason: why,
        remaining: minorToDecimal(Math.max(0, remaining), cur),
        apply: minorToDecimal(0, cur),
      });
      continue;
    }
    const eligible = after.filter((l) => !c!.categories || c!.categories.includes(info.get(l.lineNo)!.category ?? ''));
    const room = eligible.reduce((s, l) => s + leftByLine.get(l.lineNo)!, 0);
    const apply = Math.min(remaining, room);
    if (apply <= 0) {
      if (opts.strict)
        throw new AppError('LOYALTY_CERTIFICATE_INVALID', `certificates: ${code} covers none of the basket's categories.`, {
          fields: [{ field: 'certificates', message: `${code} covers nothing here` }],
        });
      certDtos.push({
        code,
        usable: false,
        reason: 'no eligible lines',
        remaining: minorToDecimal(remaining, cur),
        apply: minorToDecimal(0, cur),
      });
      continue;
    }
    const left = eligible.map((l) => leftByLine.get(l.lineNo)!);
    const shares = allocate(apply, left, left);
    const byLine = new Map<number, number>();
    eligible.forEach((l, i) => {
      byLine.set(l.lineNo, shares[i]!);
      leftByLine.set(l.lineNo, leftByLine.get(l.lineNo)! - shares[i]!);
    });
    certUse.push({ code, amountMinor: apply, byLine });
    certDtos.push({ code, usable: true, reason: null, remaining: minorToDecimal(remaining, cur), apply: minorToDecimal(apply, cur) });
  }

  // Points earned on what is paid in money, at the partner's rate in a partner's store.
  const tierMult = tierCfg?.earnMultiplier ?? 1;
  const earnCfg: loyalty.EarnConfig = partner
    ? { basePercent: partner.earnPercent, categoryMultipliers: {}, brandMultipliers: {} }
    : { basePercent: cfg.earn.basePercent, categoryMultipliers: cfg.earn.categoryMultipliers, brandMultipliers: cfg.earn.brandMultipliers };
  const earned = customer.id
    ? loyalty.earnPoints(
        after.map((l) => ({
          lineNo: l.lineNo,
          category: info.get(l.lineNo)!.category,
          brand: info.get(l.lineNo)!.brand,
          paidMinor: leftByLine.get(l.lineNo)!,
        })),
        earnCfg,
        tierMult,
        program.pointValueMinor,
      )
    : { total: 0, lines: [] };
  const earnedBy = new Map(earned.lines.map((l) => [l.lineNo, l.points]));

  const m = (x: number) => minorToDecimal(x, cur);
  const lines: PricedLine[] = after.map((l) => {
    const b = info.get(l.lineNo)!;
    return {
      lineNo: l.lineNo,
      sku: b.sku,
      quantityText: b.quantityText,
      unitPriceMinor: b.unitPriceMinor,
      amountMinor: l.amountMinor,
      discountMinor: l.discountMinor + l.ladderMinor,
      ladderMinor: l.ladderMinor,
      totalMinor: l.totalMinor,
      // The VAT of a line after the ladder's discount, as the engine computes it.
      taxMinor: accepted ? offers.includedTax(l.totalMinor, b.taxRatePercent) : l.taxMinor,
      paidMinor: leftByLine.get(l.lineNo)!,
      redeemedPoints: redeemedBy.get(l.lineNo)?.points ?? 0,
      redeemedMinor: redeemedBy.get(l.lineNo)?.amountMinor ?? 0,
      earned: earnedBy.get(l.lineNo) ?? 0,
      offerShares: l.allocations,
      certificates: certUse
        .filter((c) => (c.byLine.get(l.lineNo) ?? 0) > 0)
        .map((c) => ({ code: c.code, amountMinor: c.byLine.get(l.lineNo)! })),
    };
  });
  const sum = (f: (l: PricedLine) => number) => lines.reduce((s, l) => s + f(l), 0);
  const response: PricedResponse = {
    programVersion: program.version,
    currency: cur,
    customer: {
      known: customer.id !== null,
      reason: customer.reason,
      id: customer.id,
      tier: wallet?.tier ?? null,
      cell: cell?.cell ?? null,
      balance: wallet ? { active: wallet.active, pending: wallet.pending } : null,
    },
    applicable: priced.applicable.map((a) => ({
      offerId: a.offerId,
      name: a.name,
      kind: a.kind,
      group: a.group,
      discount: m(a.discountMinor),
    })),
    applied: priced.applied.map((a) => ({ offerId: a.offerId, name: a.name, kind: a.kind, group: a.group, discount: m(a.discountMinor) })),
    lines: lines.map((l) => lineDto(l, cur)),
    totals: {
      amount: m(priced.totals.amountMinor),
      discount: m(priced.totals.discountMinor + sum((l) => l.ladderMinor)),
      total: m(sum((l) => l.totalMinor)),
      tax: m(sum((l) => l.taxMinor)),
      paidWithPoints: m(sum((l) => l.redeemedMinor)),
      paidWithCertificates: m(certUse.reduce((s, c) => s + c.amountMinor, 0)),
      due: m(sum((l) => l.paidMinor)),
    },
    ladder: {
      steps: ladder.map((s) => {
        const p = probs?.find((x) => x.key === s.key)?.pBuy ?? null;
        return {
          key: s.key,
          percent: s.percent,
          cost: m(s.costMinor),
          pBuy: p === null ? null : Math.round(p * 10_000) / 10_000,
          expectedMargin: p === null ? null : m(Math.round(p * (marginMinor - s.costMinor))),
        };
      }),
      recommended,
      accepted: opts.ladderStep ?? null,
    },
    points: { earn: earned.total, redeemable, redeem: body.redeemPoints, pointValue: m(program.pointValueMinor) },
    certificates: certDtos,
    partner: partner?.code ?? null,
  };
  return {
    response,
    program,
    customer,
    wallet,
    partner: partner ?? null,
    lines,
    redeemPoints: body.redeemPoints,
    earnPoints: earned.total,
    certificateUse: certUse.map((c) => ({ code: c.code, amountMinor: c.amountMinor })),
    applied: priced.applied.map((a) => ({ offerId: a.offerId, discountMinor: a.discountMinor })),
    ladderStep: opts.ladderStep ?? null,
    ladderObservations:
      opts.ladderStep && customer.id ? Object.entries(loyalty.observe(keys, opts.ladderStep)).map(([step, c]) => ({ step, ...c })) : [],
  };
}
