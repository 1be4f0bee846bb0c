import { z } from 'zod';
import { customerContracts } from '../../modules/customers/index.ts';

const { IdentityInput } = customerContracts;

/** A decimal as text ("12.50") or a JSON number; anything else is refused with the field's name. */
const Decimal = z.union([
  z.string().regex(/^[+-]?(\d+(\.\d+)?|\.\d+)$/, 'a decimal number such as 12.50'),
  z.number().finite().transform((n) => String(n)),
]);

export const BasketLineBody = z
  .object({
    /** Defaults to the line's position, from 1. */
    lineNo: z.number().int().min(1).max(10_000).optional(),
    sku: z.string().min(1).max(64),
    category: z.string().max(100).nullable().optional(),
    brand: z.string().max(100).nullable().optional(),
    quantity: Decimal.default('1'),
    /** Tax-inclusive unit price in the basket's currency. */
    unitPrice: Decimal,
    /** VAT rate in percent included in the price. */
    taxRate: Decimal.default('0'),
  })
  .strict();

export const QuoteBody = z
  .object({
    store: z.string().min(1).max(64),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code'),
    /** When the basket is priced (offers' validity, birthday windows); defaults to the sale's time (a commit's `occurredAt`), then now. */
    at: z.iso.datetime({ offset: true }).optional(),
    /** Any identity of the customer: a card number, phone, e-mail or the retailer's id. Omit it for a walk-in. */
    customer: IdentityInput.nullable().optional(),
    lines: z.array(BasketLineBody).min(1).max(500),
    /** Points the customer wants to pay with. */
    redeemPoints: z.number().int().min(0).default(0),
    /** Gift certificates to pay with, by code. */
    certificates: z.array(z.string().min(1).max(64)).max(10).default([]),
  })
  .strict();
export type QuoteBody = z.output<typeof QuoteBody>;

export const CommitBody = QuoteBody.extend({
  /** The receipt's number at the store: a retry with the same store and number is the same receipt. */
  number: z.string().min(1).max(64),
  /** When the sale happens (the receipt, its points' lots); defaults to `at`, then now. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  /** The ladder step the customer accepted ('none' when they bought without one); omit when no ladder was offered. */
  ladderStep: z.string().min(1).max(40).optional(),
}).strict();
export type CommitBody = z.output<typeof CommitBody>;

const basketOnly = ['currency', 'at', 'customer', 'lines'] as const;

/**
 * What POST /api/v1/till/receipts takes: a whole basket (CommitBody), or a quote's token with the receipt's number.
 * By a quote, the basket, the customer and the pricing time come from the token; the store may be repeated (it must
 * match), and the points and certificates to pay with and the ladder step are given at the commit, as the customer
 * decides them at payment (the points and certificates default to the quote's).
 */
export const CommitRequest = z
  .object({
    /** The token of a quote (QuoteResponse.quote.token), instead of the basket. */
    quote: z.string().min(1).max(200_000).optional(),
    store: z.string().min(1).max(64).optional(),
    currency: QuoteBody.shape.currency.optional(),
    at: QuoteBody.shape.at,
    customer: QuoteBody.shape.customer,
    lines: QuoteBody.shape.lines.optional(),
    redeemPoints: z.number().int().min(0).optional(),
    certificates: z.array(z.string().min(1).max(64)).max(10).optional(),
    number: CommitBody.shape.number,
    occurredAt: CommitBody.shape.occurredAt,
    ladderStep: CommitBody.shape.ladderStep,
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.quote !== undefined) {
      for (const key of basketOnly)
        if (b[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'comes from the quote; send either quote or the basket' });
    } else
      for (const key of ['store', 'currency', 'lines'] as const)
        if (b[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required (or commit by quote)' });
  });
export type CommitRequest = z.output<typeof CommitRequest>;

export const ReturnBody = z
  .object({
    store: z.string().min(1).max(64),
    /** The return's own number at the store (idempotency). */
    number: z.string().min(1).max(64),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    originalReceipt: z.object({ store: z.string().min(1), number: z.string().min(1) }).strict(),
    /** Lines and quantities returned; omit to return everything not returned yet. */
    lines: z
      .array(z.object({ lineNo: z.number().int().min(1), quantity: Decimal }).strict())
      .min(1)
      .max(500)
      .optional(),
  })
  .strict();
export type ReturnBody = z.output<typeof ReturnBody>;

const Money = z.string();

export const PricedLineDto = z.object({
  lineNo: z.number().int(),
  sku: z.string(),
  quantity: z.string(),
  amount: Money,
  discount: Money,
  /** The line after offers and the accepted ladder step. */
  total: Money,
  tax: Money,
  offers: z.array(z.object({ offerId: z.string(), discount: Money })),
  ladderDiscount: Money,
  pointsRedeemed: z.number().int(),
  paidWithPoints: Money,
  paidWithCertificates: Money,
  /** What is left to pay in money. */
  due: Money,
  pointsEarned: z.number().int(),
});

/** A priced basket: what a quote and a committed sale both answer. */
export const PricedResponse = z.object({
  programVersion: z.number().int(),
  currency: z.string(),
  customer: z.object({
    known: z.boolean(),
    /** Why the quote is anonymous: no identity given, unknown identity, blocked or replaced card. */
    reason: z.enum(['identified', 'none', 'unknown', 'card-blocked', 'card-replaced']),
    id: z.string().nullable(),
    tier: z.string().nullable(),
    cell: z.string().nullable(),
    balance: z.object({ active: z.number().int(), pending: z.number().int() }).nullable(),
  }),
  applicable: z.array(z.object({ offerId: z.string(), name: z.string(), kind: z.string(), group: z.string(), discount: Money })),
  applied: z.array(z.object({ offerId: z.string(), name: z.string(), kind: z.string(), group: z.string(), discount: Money })),
  lines: z.array(PricedLineDto),
  totals: z.object({ amount: Money, discount: Money, total: Money, tax: Money, paidWithPoints: Money, paidWithCertificates: Money, due: Money }),
  ladder: z.object({
    steps: z.array(z.object({ key: z.string(), percent: z.number(), cost: Money, pBuy: z.number().nullable(), expectedMargin: Money.nullable() })),
    /** The smallest step with the best expected margin for this customer (null for a walk-in). */
    recommended: z.string().nullable(),
    accepted: z.string().nullable(),
  }),
  points: z.object({ earn: z.number().int(), redeemable: z.number().int(), redeem: z.number().int(), pointValue: Money }),
  certificates: z.array(z.object({ code: z.string(), usable: z.boolean(), reason: z.string().nullable(), remaining: Money, apply: Money })),
  partner: z.string().nullable(),
});
export type PricedResponse = z.infer<typeof PricedResponse>;

export const QuoteResponse = PricedResponse.extend({
  quote: z.object({
    /**
     * Commits this basket for this customer, priced at the quote's time, without sending it again: POST
     * /api/v1/till/receipts with `quote` and the receipt's number. Sealed: the till can neither read nor alter it.
     */
    token: z.string(),
    /** After this, the token is refused (PATRON_QUOTE_TTL_MINUTES after the quote). */
    expiresAt: z.string(),
  }),
});
export type QuoteResponse = z.infer<typeof QuoteResponse>;

export const CommitResponse = PricedResponse.extend({
  replayed: z.boolean(),
  receiptId: z.string(),
  store: z.string(),
  number: z.string(),
  balanceAfter: z.object({ active: z.number().int(), pending: z.number().int() }).nullable(),
});
export type CommitResponse = z.infer<typeof CommitResponse>;

export const ReturnResponse = z.object({
  replayed: z.boolean(),
  receiptId: z.string(),
  originalReceiptId: z.string(),
  currency: z.string(),
  lines: z.array(
    z.object({
      lineNo: z.number().int(),
      quantity: z.string(),
      refund: Money,
      pointsReversed: z.number().int(),
      pointsRestored: z.number().int(),
      certificateRefund: Money,
    }),
  ),
  /** Money back to the customer: the lines' paid amounts, less the value of earned points already spent. */
  refund: Money,
  points: z.object({ reversed: z.number().int(), restored: z.number().int(), shortfall: z.number().int(), shortfallValue: Money }),
  certificates: z.array(z.object({ code: z.string(), refund: Money })),
});
export type ReturnResponse = z.infer<typeof ReturnResponse>;
