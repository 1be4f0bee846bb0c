import { createHash } from 'node:crypto';

export type ReceiptKind = 'sale' | 'return';

export type ReceiptLineInput = {
  sku: string | null;
  /** Decimal text, signed: negative on returns. */
  quantity: string;
  unitPriceMinor: number;
  amountMinor: number;
};

/** A receipt ready to be stored: its customer is resolved (or the store's walk-in id) and its amounts are minor units. */
export type ReceiptInput = {
  storeCode: string;
  number: string;
  customerId: string;
  kind: ReceiptKind;
  occurredAt: Date;
  currency: string;
  lines: ReceiptLineInput[];
  originalReceiptId?: string | null;
  source: string;
  importRunId?: string | null;
  /** The new receipt's id, when the caller needs it before the receipt is written (the till's pipelined commit). */
  id?: string;
};

/** A receipt's total is the sum of its line amounts, in minor units. */
export function receiptTotal(lines: readonly ReceiptLineInput[]): number {
  return lines.reduce((s, l) => s + l.amountMinor, 0);
}

/**
 * A digest of what the receipt says (customer, time, currency, kind, lines in order), not of how it arrived.
 * Two deliveries with the same store and number and the same digest are one receipt; a different digest is a conflict.
 */
export function receiptContentHash(r: ReceiptInput): string {
  // One update of the whole text (the same bytes, so the same digest as line-by-line updates): a native call per
  // line cost more than the hashing itself on bulk imports.
  let text = `${r.customerId}|${r.kind}|${r.occurredAt.toISOString()}|${r.currency}|${r.originalReceiptId ?? ''}`;
  for (const l of r.lines) text += `\n${l.sku ?? ''}|${normalizeQuantity(l.quantity)}|${l.unitPriceMinor}|${l.amountMinor}`;
  return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}

/** "2", "2.0" and "2.000" are one quantity. */
export function normalizeQuantity(q: string): string {
  if (!q.includes('.')) return q.charCodeAt(0) === 43 /* + */ ? q.slice(1) : q;
  return q.replace(/^\+/, '').replace(/\.?0+$/, '');
}
