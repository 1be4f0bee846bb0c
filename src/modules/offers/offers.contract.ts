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

/** An offer's fields, as a new offer gives them and an edit changes them. */
const offerFields = {
  name: z.string().min(1).max(200),
  rule: OfferRuleInput,
  /** The stacking group (a key of the program's stacking groups). */
  group: z.string().min(1).max(40),
  priority: z.number().int().min(0).max(1_000_000),
  validFrom: z.iso.datetime({ offset: true }).nullable(),
  validTo: z.iso.datetime({ offset: true }).nullable(),
  stores: z.array(z.string().min(1)).min(1).nullable(),
  categories: z.array(z.string().min(1)).min(1).nullable(),
  /** The most this offer gives on one receipt. */
  maxDiscount: Money.nullable(),
  /** The most this offer gives in total; the last receipts get what is left. */
  budget: Money.nullable(),
  perCustomerLimit: z.number().int().min(1).nullable(),
};

/** The fields an offer is made with and an edit may change, in the order the API documents them. */
export const OFFER_FIELDS = Object.keys(offerFields) as (keyof typeof offerFields)[];

/** Whether a validity's end comes after its start, as instants (the two may carry different offsets). */
export function validityInOrder(validFrom: string | null | undefined, validTo: string | null | undefined): boolean {
  return !validFrom || !validTo || Date.parse(validFrom) < Date.parse(validTo);
}

export const CreateOfferBody = z
  .object({
    ...offerFields,
    priority: offerFields.priority.default(100),
    validFrom: offerFields.validFrom.default(null),
    validTo: offerFields.validTo.default(null),
    stores: offerFields.stores.default(null),
    categories: offerFields.categories.default(null),
    maxDiscount: offerFields.maxDiscount.default(null),
    budget: offerFields.budget.default(null),
    perCustomerLimit: offerFields.perCustomerLimit.default(null),
  })
  .strict()
  .refine((b) => validityInOrder(b.validFrom, b.validTo), { message: 'validTo must be after validFrom', path: ['validTo'] });
export type CreateOfferBody = z.output<typeof CreateOfferBody>;

/**
 * An edit of an offer: the fields to change, each as a new offer gives it; a field left out stays. The rule is
 * given whole, of the offer's own kind. Checked against the offer as it is (the validity as a whole, the group
 * against the program's) by the service.
 */
export const UpdateOfferBody = z
  .object(offerFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type UpdateOfferBody = z.output<typeof UpdateOfferBody>;

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

export const OfferChangeList = z.object({
  changes: z.array(
    z.object({
      at: z.string(),
      /** The API key or console user that made the change; null from the command line. */
      actor: z.string().nullable(),
      actorName: z.string().nullable(),
      /** Per field changed, its value before and after, as the offer shows it. */
      change: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
    }),
  ),
});
