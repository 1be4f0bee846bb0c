import * as loyalty from '../../modules/loyalty/index.ts';
import * as offers from '../../modules/offers/index.ts';
import * as sales from '../../modules/sales/index.ts';
import { allocate } from '../../platform/allocate.ts';
import type { Database, Session } from '../../platform/db/client.ts';
import { AppError, pgCode } from '../../platform/errors.ts';
import { minorToDecimal, parseDecimal } from '../../platform/money.ts';
import type { StoredSale } from './commit.ts';
import type { ReturnBody, ReturnResponse } from './till.contract.ts';

/** What a return keeps per line, so that later returns of the same sale take only what is left. */
type ReturnedLine = {
  lineNo: number;
  /** Thousandths of a unit. */
  qty: number;
  totalMinor: number;
  refundMinor: number;
  earned: number;
  redeemed: number;
  certificates: { code: string; amountMinor: number }[];
  offers: { offerId: string; discountMinor: number }[];
};

type StoredReturn = { response: ReturnResponse; lines: ReturnedLine[]; restoredLots: { lotId: string; points: number }[] };

const thousandths = (text: string): number | undefined => {
  const d = parseDecimal(text);
  if (!d || d.scale > 3) return undefined;
  return Number(d.mantissa) * 10 ** (3 - d.scale);
};

/**
 * A return, whole or partial, at the till: exactly once per store and return number. Each returned line gives back,
 * in proportion to the quantity, what the customer paid in money, the points it earned (taken back from what is left
 * of that receipt's lots; what was already spent is deducted from the money), the points it was paid with (restored
 * to the lots they came from), its certificate amounts, and the offers' budget. Proportions are computed on what is
 * returned so far, so that successive partial returns add up exactly to the sale, and never beyond it.
 */
export async function returnSale(database: Database, body: ReturnBody): Promise<ReturnResponse> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await database.transaction((s) => returnOnce(s, body));
    } catch (e) {
      const code = pgCode(e);
      if ((code === '23505' || code === '40001' || code === '40P01') && attempt < 4) continue;
      throw e;
    }
  }
}

async function returnOnce(s: Session, body: ReturnBody): Promise<ReturnResponse> {
  const seen = await loyalty.findTillReceipt(s, body.store, body.number);
  if (seen) return replay(seen, body);
  const found = await loyalty.findSaleWithReturns(s, body.originalReceipt.store, body.originalReceipt.number);
  if (!found)
    throw new AppError(
      'LOYALTY_RECEIPT_NOT_FOUND',
      `originalReceipt: no till sale ${body.originalReceipt.number} in store ${body.originalReceipt.store}.`,
      {
        fields: [{ field: 'originalReceipt', message: 'not found' }],
      },
    );
  const sale = found.sale.result as StoredSale;
  const cur = sale.response.currency;
  const before = found.returns.flatMap((r) => (r.result as StoredReturn).lines);
  const done = (lineNo: number, f: (l: ReturnedLine) => number) => before.filter((l) => l.lineNo === lineNo).reduce((a, l) => a + f(l), 0);

  // What is asked: named lines, or everything not returned yet.
  const asked: { lineNo: number; qty: number; index: number }[] = [];
  const fails: { field: string; message: string }[] = [];
  const requested = body.lines ?? sale.lines.map((l) => ({ lineNo: l.lineNo, quantity: '' }));
  requested.forEach((r, i) => {
    const line = sale.lines.find((l) => l.lineNo === r.lineNo);
    if (!line) return fails.push({ field: `lines.${i}.lineNo`, message: `the receipt has no line ${r.lineNo}` });
    const bought = thousandths(line.quantityText)!;
    const left = bought - done(r.lineNo, (l) => l.qty);
    const qty = body.lines ? thousandths(r.quantity) : left;
    if (qty === undefined || qty <= 0)
      return body.lines
        ? fails.push({ field: `lines.${i}.quantity`, message: `must be above 0 with at most 3 decimals, got ${r.quantity}` })
        : undefined;
    if (qty > left)
      return fails.push({
        field: `lines.${i}.quantity`,
        message: `${qty / 1000} asked, ${left / 1000} left to return of ${bought / 1000}`,
      });
    if (asked.some((a) => a.lineNo === r.lineNo))
      return fails.push({ field: `lines.${i}.lineNo`, message: `line ${r.lineNo} appears twice` });
    asked.push({ lineNo: r.lineNo, qty, index: i });
  });
  if (fails.length > 0)
    throw new AppError('LOYALTY_RETURN_EXCEEDS', fails.map((f) => `${f.field}: ${f.message}`).join('; '), { fields: fails });
  if (asked.length === 0)
    throw new AppError('LOYALTY_RETURN_EXCEEDS', `lines: everything on receipt ${body.originalReceipt.number} is returned already.`, {
      fields: [{ field: 'lines', message: 'nothing left to return' }],
    });

  // Each value of a line, in proportion to what has been returned so far including this return.
  const lines: ReturnedLine[] = asked.map(({ lineNo, qty }) => {
    const l = sale.lines.find((x) => x.lineNo === lineNo)!;
    const bought = thousandths(l.quantityText)!;
    const already = done(lineNo, (x) => x.qty);
    const share = (value: number, prior: number) => loyalty.proportionalShare(value, bought, qty, already, prior);
    return {
      lineNo,
      qty,
      totalMinor: share(
        l.totalMinor,
        done(lineNo, (x) => x.totalMinor),
      ),
      refundMinor: share(
        l.paidMinor,
        done(lineNo, (x) => x.refundMinor),
      ),
      earned: share(
        l.earned,
        done(lineNo, (x) => x.earned),
      ),
      redeemed: share(
        l.redeemedPoints,
        done(lineNo, (x) => x.redeemed),
      ),
      certificates: l.certificates.map((c) => ({
        code: c.code,
        amountMinor: share(
          c.amountMinor,
          before
            .filter((b) => b.lineNo === lineNo)
            .reduce((a, b) => a + (b.certificates.find((x) => x.code === c.code)?.amountMinor ?? 0), 0),
        ),
      })),
      offers: l.offerShares.map((o) => ({
        offerId: o.offerId,
        discountMinor: share(
          o.discountMinor,
          before
            .filter((b) => b.lineNo === lineNo)
            .reduce((a, b) => a + (b.offers.find((x) => x.offerId === o.offerId)?.discountMinor ?? 0), 0),
        ),
      })),
    };
  });

  const at = body.occurredAt ? new Date(body.occurredAt) : new Date();
  const customerId = found.sale.customerId;
  const stored = await sales.storeReceipts(s, [
    {
      storeCode: body.store,
      number: body.number,
      customerId,
      kind: 'return',
      occurredAt: at,
      currency: cur,
      lines: lines.map((r) => {
        const l = sale.lines.find((x) => x.lineNo === r.lineNo)!;
        return { sku: l.sku, quantity: `-${r.qty / 1000}`, unitPriceMinor: l.unitPriceMinor, amountMinor: -r.totalMinor };
      }),
      originalReceiptId: found.sale.receiptId,
      source: 'till',
    },
  ]);
  if (stored.conflicts.length > 0 || stored.skipped.length > 0) {
    const again = await loyalty.findTillReceipt(s, body.store, body.number);
    if (again) return replay(again, body);
    throw new AppError('SALES_RECEIPT_CONFLICT', `Number ${body.number} of store ${body.store} is used by another receipt.`, {
      fields: [{ field: 'number', message: 'already used' }],
    });
  }
  const receiptId = stored.created[0]!.receiptId;

  const sum = (f: (l: ReturnedLine) => number) => lines.reduce((a, l) => a + f(l), 0);
  const owner = sale.walletOwner;
  let reversed = 0;
  let shortfall = 0;
  let restored = 0;
  let restoredLots: { lotId: string; points: number }[] = [];
  if (owner) {
    const earned = sum((l) => l.earned);
    if (earned > 0)
      ({ reversed, shortfall } = await loyalty.reverseEarned(s, {
        owner,
        receiptId: found.sale.receiptId,
        points: earned,
        cause: `return:${receiptId}:earn`,
      }));
    const redeemed = sum((l) => l.redeemed);
    if (redeemed > 0 && sale.redemptionTransferId) {
      // Back to the lots the redemption took them from, in proportion, less what earlier returns restored.
      const took = await loyalty.redemptionLots(s, owner, sale.redemptionTransferId);
      const prior = found.returns.flatMap((r) => (r.result as StoredReturn).restoredLots);
      const caps = took.map((t) => t.points - prior.filter((p) => p.lotId === t.lotId).reduce((a, p) => a + p.points, 0));
      const shares = allocate(redeemed, caps, caps);
      restoredLots = took.map((t, i) => ({ lotId: t.lotId, points: shares[i]! })).filter((x) => x.points > 0);
      await loyalty.restoreRedeemed(s, { owner, points: redeemed, cause: `return:${receiptId}:restore`, receiptId, shares: restoredLots });
      restored = redeemed;
    }
  }
  const certs = new Map<string, number>();
  for (const l of lines) for (const c of l.certificates) if (c.amountMinor > 0) certs.set(c.code, (certs.get(c.code) ?? 0) + c.amountMinor);
  if (certs.size > 0)
    await loyalty.addCertificateMoves(
      s,
      [...certs].map(([code, amountMinor]) => ({ code, cause: `return:${receiptId}`, amountMinor, receiptId })),
    );
  const budgets = new Map<string, number>();
  for (const l of lines)
    for (const o of l.offers) if (!o.offerId.startsWith('tier:')) budgets.set(o.offerId, (budgets.get(o.offerId) ?? 0) + o.discountMinor);
  await offers.releaseBudgets(
    s,
    [...budgets].map(([offerId, discountMinor]) => ({ offerId, discountMinor })),
    found.sale.createdAt,
  );

  const gross = sum((l) => l.refundMinor);
  const shortfallValue = Math.min(gross, shortfall * sale.pointValueMinor);
  const m = (x: number) => minorToDecimal(x, cur);
  const response: ReturnResponse = {
    replayed: false,
    receiptId,
    originalReceiptId: found.sale.receiptId,
    currency: cur,
    lines: lines.map((l) => ({
      lineNo: l.lineNo,
      quantity: String(l.qty / 1000),
      refund: m(l.refundMinor),
      pointsReversed: l.earned,
      pointsRestored: l.redeemed,
      certificateRefund: m(l.certificates.reduce((a, c) => a + c.amountMinor, 0)),
    })),
    refund: m(gross - shortfallValue),
    points: { reversed, restored, shortfall, shortfallValue: m(shortfallValue) },
    certificates: [...certs].map(([code, amount]) => ({ code, refund: m(amount) })),
  };
  const keep: StoredReturn = { response, lines, restoredLots };
  await loyalty.insertTillReceipts(s, [
    {
      customerId,
      receiptId,
      storeCode: body.store,
      number: body.number,
      kind: 'return',
      originalReceiptId: found.sale.receiptId,
      programVersion: found.sale.programVersion,
      result: keep,
      pointsEarned: -reversed,
      pointsRedeemed: -restored,
      discountMinor: 0,
      ladderStep: null,
      occurredAt: at,
    },
  ]);
  return response;
}

function replay(stored: loyalty.TillReceiptRow, body: ReturnBody): ReturnResponse {
  const keep = stored.result as StoredReturn;
  if (stored.kind !== 'return')
    throw new AppError('SALES_RECEIPT_CONFLICT', `Number ${body.number} of store ${body.store} is a sale.`, {
      fields: [{ field: 'number', message: 'used by a sale' }],
    });
  return { ...keep.response, replayed: true };
}
