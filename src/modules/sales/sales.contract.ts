import { z } from 'zod';
import { customerContracts } from '../customers/index.ts';

const { IdentityInput } = customerContracts;

/** A decimal amount as a string ("12.50") or a JSON number; parsed exactly, never through floating point sums. */
export const DecimalInput = z.union([
  z.string().regex(/^[+-]?(\d+(\.\d+)?|\.\d+)$/, 'a decimal number such as 12.50'),
  z.number().finite().transform((n) => String(n)),
]);

export const ReceiptLineBody = z
  .object({
    sku: z.string().min(1).max(64).nullable().optional(),
    name: z.string().max(200).optional(),
    category: z.string().max(100).optional(),
    brand: z.string().max(100).optional(),
    quantity: DecimalInput.default('1'),
    unitPrice: DecimalInput,
    /** The line amount after line discounts; defaults to quantity × unit price. */
    amount: DecimalInput.optional(),
  })
  .strict();

export const PostReceiptBody = z
  .object({
    store: z.string().min(1).max(64),
    number: z.string().min(1).max(64),
    /** Any identity of the customer. Omit it for an anonymous sale. An unknown identity registers a new customer. */
    customer: IdentityInput.nullable().optional(),
    occurredAt: z.iso.datetime({ offset: true }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code'),
    kind: z.enum(['sale', 'return']).default('sale'),
    /** For a return: the original sale, by store and number. */
    originalReceipt: z.object({ store: z.string().min(1), number: z.string().min(1) }).strict().optional(),
    lines: z.array(ReceiptLineBody).min(1).max(1000),
  })
  .strict();
export type PostReceiptBody = z.infer<typeof PostReceiptBody>;

export const ReceiptLine = z.object({
  lineNo: z.number().int(),
  sku: z.string().nullable(),
  quantity: z.string(),
  unitPrice: z.string(),
  amount: z.string(),
});

export const Receipt = z.object({
  id: z.string(),
  customerId: z.string().nullable(),
  store: z.string(),
  number: z.string(),
  kind: z.enum(['sale', 'return']),
  occurredAt: z.string(),
  currency: z.string(),
  total: z.string(),
  totalMinor: z.number().int(),
  originalReceiptId: z.string().nullable(),
  source: z.string(),
  lines: z.array(ReceiptLine),
});
export type Receipt = z.infer<typeof Receipt>;

export const PostReceiptResponse = z.object({ replayed: z.boolean(), receipt: Receipt });

export const ReceiptKeyParams = z.object({ store: z.string().min(1), number: z.string().min(1) });
