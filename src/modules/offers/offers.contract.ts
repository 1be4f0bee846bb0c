import { z } from 'zod';

const Money = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal amount such as 12.50');
const Percent = z.number().min(0).max(100);
const Discount = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percent'), percent: Percent }).strict(),
  /** A fixed amount off, in the program's currency. */
  z.object({ kind: z.literal('amount'), amount: Money }).strict(),
]);

export const OfferRuleInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('volume'), minQuantity: z.number().int().min(1), discount: Discount }).strict(),
  z.object({ kind: z.literal('brand'), brands: z.array(z.string().min(1)).min(1), discount: Discount }).strict(),
  z.object({ kind: z.literal('bundle'), buy: z.number().int().min(2).max(100), free: z.number().int().min(1).max(99) }).strict().refine((r) => r.free < r.buy, { message: 'free must be less than buy', path: ['free'] }),
  z.object({ kind: z.literal('birthday'), daysBefore: z.number().int().min(0).max(60), daysAfter: z.number().int().min(0).max(60), discount: Discount }).strict(),
  z.object({ kind: z.literal('tier'), tiers: z.array(z.string().min(1)).min(1), discount: Discount }).strict(),
  z
    .object({
      kind: z.literal('personal'),
      customerIds: z.array(z.string().min(1)).max(10_000).optional(),
      cells: z.array(z.string().min(1)).optional(),
      rfmSegments: z.array(z.string().min(1)).optional(),
      discount: Discount,
    })
    .strict()
    .refine((r) => (r.customerIds?.length ?? 0) + (r.cells?.length ?? 0) + (r.rfmSegments?.length ?? 0) > 0, { message: 'name customers, cells or RFM segments', path: ['customerIds'] }),
]);
export type OfferRuleInput = z.infer<typeof OfferRuleInput>;

export const CreateOfferBody = z
  .object({
    name: z.string().min(1).max(200),
    rule: OfferRuleInput,
    /** The stacking group (a key of the program's stacking groups). */
    group: z.string().min(1).max(40),
    priority: z.number().int().min(0).max(1_000_000).default(100),
    validFrom: z.iso.datetime({ offset: true }).nullable().default(null),
    validTo: z.iso.datetime({ offset: true }).nullable().default(null),
    stores: z.array(z.string().min(1)).min(1).nullable().default(null),
    categories: z.array(z.string().min(1)).min(1).nullable().default(null),
    /** The most this offer gives on one receipt. */
    maxDiscount: Money.nullable().default(null),
    /** The most this offer gives in total; the last receipts get what is left. */
    budget: Money.nullable().default(null),
    perCustomerLimit: z.number().int().min(1).nullable().default(null),
  })
  .strict()
  .refine((b) => !b.validFrom || !b.validTo || b.validFrom < b.validTo, { message: 'validTo must be after validFrom', path: ['validTo'] });
export type CreateOfferBody = z.output<typeof CreateOfferBody>;

export const Offer = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  rule: z.unknown(),
  group: z.string(),
  priority: z.number().int(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  stores: z.array(z.string()).nullable(),
  categories: z.array(z.string()).nullable(),
  maxDiscount: z.string().nullable(),
  budget: z.string().nullable(),
  budgetSpent: z.string(),
  perCustomerLimit: z.number().int().nullable(),
  status: z.enum(['active', 'archived']),
  createdAt: z.string(),
});
export type OfferDto = z.infer<typeof Offer>;
export const OfferList = z.object({ offers: z.array(Offer) });
export const OfferIdParams = z.object({ id: z.string().min(1) });
