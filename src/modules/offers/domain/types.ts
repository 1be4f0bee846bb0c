// The pricing engine's vocabulary: pure data, no I/O. Amounts are integers in minor units of one currency (the
// program's); points are whole points. The engine (pricing.ts) turns a basket, the offers in force and the stacking
// groups into line-level discounts that add up exactly.

/** One basket line as the till sends it. `quantity` may be fractional (weighed goods); bundles count whole units only. */
export type BasketLine = {
  lineNo: number;
  sku: string;
  category: string | null;
  brand: string | null;
  quantity: number;
  unitPriceMinor: number;
  /** VAT rate in percent included in the price (prices are tax-inclusive); 0 when none. */
  taxRatePercent: number;
};

export type Discount = { kind: 'percent'; percent: number } | { kind: 'amount'; amountMinor: number };

/** What an offer does, by kind. Percent values are 0–100 (100 = free). */
export type OfferRule =
  /** "From 3 items −10%": when the eligible lines hold at least `minQuantity` units in total. */
  | { kind: 'volume'; minQuantity: number; discount: Discount }
  /** A discount on the lines of some brands. */
  | { kind: 'brand'; brands: string[]; discount: Discount }
  /**
   * "Third item free": eligible whole units sorted by unit price, highest first (ties by lineNo); in each consecutive
   * run of `buy` units the cheapest `free` are free. So 7 units of a 3-for-2 give 2 free units.
   */
  | { kind: 'bundle'; buy: number; free: number }
  /** A window around the customer's birthday (month and day), in whole days, inclusive. */
  | { kind: 'birthday'; daysBefore: number; daysAfter: number; discount: Discount }
  /** For customers in one of these tiers. */
  | { kind: 'tier'; tiers: string[]; discount: Discount }
  /** For listed customers, or customers in an R×F cell or RFM segment (from the segments module). */
  | { kind: 'personal'; customerIds?: string[]; cells?: string[]; rfmSegments?: string[]; discount: Discount };

export type OfferKind = OfferRule['kind'];

export type Offer = {
  id: string;
  name: string;
  rule: OfferRule;
  /** The stacking group's key. */
  group: string;
  /** Lower applies first / wins ties. */
  priority: number;
  validFrom: Date | null;
  validTo: Date | null;
  /** Stores where it applies; null = all. */
  stores: string[] | null;
  /** Categories of the lines it applies to; null = all. */
  categories: string[] | null;
  /** Cap on this offer's discount per receipt; null = none. */
  maxDiscountMinor: number | null;
  /** What is left of the offer's budget (from the database); null = unlimited. The discount is capped by it. */
  budgetRemainingMinor: number | null;
  /** Uses per customer allowed; null = unlimited. Needs a known customer. */
  perCustomerLimit: number | null;
  /** Uses by this customer so far (from the database). */
  customerUses: number;
};

/**
 * How the offers of a group combine. `exclusive`: at most one offer of the group applies; `choose` says which:
 * 'best' = the largest discount for the customer, 'lowest' = the smallest. `cumulative`: all apply, one after the
 * other on what the previous left; 'best' applies the largest first, 'lowest' the smallest first.
 * Groups apply in `priority` order. `excludes`: groups that may not apply together with this one; when both would
 * apply, the combination with the largest total discount wins (ties: the lower priority group).
 */
export type StackingGroup = {
  key: string;
  mode: 'exclusive' | 'cumulative';
  choose: 'best' | 'lowest';
  priority: number;
  excludes: string[];
};

export type PricingContext = {
  at: Date;
  store: string;
  customer: {
    id: string;
    tier: string | null;
    /** YYYY-MM-DD */
    birthDate: string | null;
    cell: string | null;
    rfmSegment: string | null;
  } | null;
};

/** An offer that applies to this basket on its own, and what it would give alone. */
export type ApplicableOffer = { offerId: string; name: string; kind: OfferKind; group: string; discountMinor: number };

export type PricedLine = {
  lineNo: number;
  /** round(quantity × unit price), half to even. */
  amountMinor: number;
  discountMinor: number;
  /** amountMinor − discountMinor, never negative. */
  totalMinor: number;
  /** VAT included in totalMinor: round(total × rate / (100 + rate)), half to even. */
  taxMinor: number;
  /** Per applied offer; their sum is discountMinor. */
  allocations: { offerId: string; discountMinor: number }[];
};

export type PricingResult = {
  lines: PricedLine[];
  applicable: ApplicableOffer[];
  /** In the order they were applied; each discountMinor equals the sum of its line allocations. */
  applied: { offerId: string; name: string; kind: OfferKind; group: string; discountMinor: number }[];
  totals: { amountMinor: number; discountMinor: number; totalMinor: number; taxMinor: number };
};

/** One step of the discount ladder as configured: an extra percent off the basket that the cashier may offer. */
export type LadderStepConfig = { key: string; percent: number };

/** A priced ladder step: what it costs (minor units) and how that cost spreads over the lines. */
export type LadderStep = {
  key: string;
  percent: number;
  costMinor: number;
  /** Lines with a non-zero share, by lineNo; their sum is costMinor. */
  allocations: { lineNo: number; discountMinor: number }[];
};
