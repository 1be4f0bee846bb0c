import type { Queryable, Session } from '../../platform/db/client.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import { AppError } from '../../platform/errors.ts';
import { minorToDecimal } from '../../platform/money.ts';
import type { Receipt } from './sales.contract.ts';
import * as repo from './sales.repository.ts';

function isAnonymous(customerId: string): boolean {
  return customerId.startsWith('anon:');
}

/** Receipt DTOs with their lines; two queries for any number of receipts. */
export async function toReceiptDtos(q: Queryable, rows: readonly repo.ReceiptRow[]): Promise<Receipt[]> {
  const lines = await repo.findLines(
    q,
    [...new Set(rows.map((r) => r.customerId))],
    rows.map((r) => r.id),
  );
  const byReceipt = new Map<string, repo.LineRow[]>();
  for (const l of lines) {
    const list = byReceipt.get(l.receiptId) ?? [];
    list.push(l);
    byReceipt.set(l.receiptId, list);
  }
  return rows.map((r) => ({
    id: r.id,
    customerId: isAnonymous(r.customerId) ? null : r.customerId,
    store: r.storeCode,
    number: r.number,
    kind: r.kind as Receipt['kind'],
    occurredAt: new Date(r.occurredAt).toISOString(),
    currency: r.currency,
    total: minorToDecimal(r.totalMinor, r.currency),
    totalMinor: r.totalMinor,
    originalReceiptId: r.originalReceiptId,
    source: r.source,
    lines: (byReceipt.get(r.id) ?? []).map((l) => ({
      lineNo: l.lineNo,
      sku: l.sku,
      quantity: l.quantity.replace(/\.?0+$/, ''),
      unitPrice: minorToDecimal(l.unitPriceMinor, r.currency),
      amount: minorToDecimal(l.amountMinor, r.currency),
    })),
  }));
}

export async function findReceiptByKey(q: Queryable, storeCode: string, number: string): Promise<Receipt | undefined> {
  const row = await repo.findReceiptByKey(q, storeCode, number);
  return row ? (await toReceiptDtos(q, [row]))[0] : undefined;
}

export async function getReceiptByKey(q: Queryable, storeCode: string, number: string): Promise<Receipt> {
  const r = await findReceiptByKey(q, storeCode, number);
  if (!r) throw new AppError('SALES_RECEIPT_NOT_FOUND', `No receipt ${number} in store ${storeCode}.`);
  return r;
}

export type TimelinePage = { receipts: Receipt[]; nextCursor: string | null };

/** A page of the customer's receipts, newest first. */
export async function receiptTimeline(q: Queryable, customerId: string, limit: number, cursor?: string): Promise<TimelinePage> {
  const rows = await repo.receiptPage(
    q,
    customerId,
    limit + 1,
    cursor
      ? decodeCursor(cursor, ([at, id]) => {
          const d = new Date(String(at));
          if (typeof id !== 'string' || Number.isNaN(d.getTime())) throw new Error('bad cursor');
          return { at: d, id };
        })
      : undefined,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    receipts: await toReceiptDtos(q, page),
    nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.occurredAt).toISOString(), last.id]) : null,
  };
}

export async function reassignReceipts(s: Session, from: string, to: string): Promise<number> {
  return repo.reassignReceipts(s, from, to);
}

export const storeReceipts = repo.storeReceipts;
export const customerTotals = repo.customerTotals;
export const countReceipts = repo.countReceipts;
export const mainCurrency = repo.mainCurrency;
export const latestPurchaseDate = repo.latestPurchaseDate;
export const spendByCustomer = repo.spendByCustomer;
