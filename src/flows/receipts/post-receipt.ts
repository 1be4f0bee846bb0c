import * as catalog from '../../modules/catalog/index.ts';
import * as customers from '../../modules/customers/index.ts';
import * as sales from '../../modules/sales/index.ts';
import { config } from '../../platform/config.ts';
import type { Database } from '../../platform/db/client.ts';
import { AppError, pgCode } from '../../platform/errors.ts';
import { decimalToMinor, isKnownCurrency, lineAmountMinor } from '../../platform/money.ts';

type Body = typeof sales.salesContracts.PostReceiptBody._output;

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field}: ${message}`, { fields: [{ field, message }] });
}

/** Converts the API body to a receipt in minor units; names the offending field on error. */
function toLines(body: Body): sales.ReceiptLineInput[] {
  if (!isKnownCurrency(body.currency)) {
    throw new AppError('SALES_UNKNOWN_CURRENCY', `currency: '${body.currency}' is not an ISO 4217 code.`, { fields: [{ field: 'currency', message: 'unknown currency' }] });
  }
  return body.lines.map((l, i) => {
    const unitPriceMinor = decimalToMinor(l.unitPrice, body.currency)!;
    const amountMinor = l.amount !== undefined ? decimalToMinor(l.amount, body.currency)! : lineAmountMinor(l.quantity, l.unitPrice, body.currency);
    if (amountMinor === undefined) throw invalid(`lines.${i}.amount`, 'cannot be computed');
    const sign = body.kind === 'return' ? -1 : 1;
    // Returns are stored signed (negative), whichever sign the till sends.
    const qty = l.quantity.replace(/^[+-]/, '');
    return {
      sku: l.sku ?? null,
      quantity: sign < 0 ? `-${qty}` : qty,
      unitPriceMinor: Math.abs(unitPriceMinor),
      amountMinor: sign * Math.abs(amountMinor),
    };
  });
}

/**
 * Posts a receipt from the till or the web shop. Idempotent by store and number: a replay with the same content
 * answers with the stored receipt (`replayed: true`); different content under the same number is a conflict.
 * An unknown customer identity registers a new customer. Four to six statements, whatever the basket size.
 */
export async function postReceipt(database: Database, body: Body): Promise<{ replayed: boolean; receipt: sales.Receipt }> {
  const lines = toLines(body);
  let identity: { kind: customers.IdentityKind; value: string } | undefined;
  if (body.customer) {
    const n = customers.normalizeIdentity(body.customer.kind, body.customer.value, config().phoneCountry);
    if ('error' in n) throw invalid('customer.value', `${body.customer.kind} ${n.error}`);
    identity = { kind: body.customer.kind, value: n.value };
  }
  const outcome = await withUniqueRetry(() => database.transaction(async (s) => {
    await catalog.insertStoreIfMissing(s, { code: body.store, name: body.store, currency: body.currency });
    let customerId = customers.anonymousCustomerId(body.store);
    let originalReceiptId: string | null = null;
    if (body.originalReceipt) {
      const original = await sales.findReceiptByKey(s, body.originalReceipt.store, body.originalReceipt.number);
      if (!original) throw invalid('originalReceipt', `no receipt ${body.originalReceipt.number} in store ${body.originalReceipt.store}`);
      originalReceiptId = original.id;
      if (original.customerId && !identity) customerId = original.customerId;
    }
    if (identity) {
      const found = await customers.findCustomerIdByIdentity(s, identity.kind, identity.value);
      if (found) customerId = found;
      else if (identity.kind === 'external') {
        const { ids } = await customers.resolveExternalIds(s, [{ externalId: identity.value }]);
        customerId = ids.get(identity.value)!;
      } else {
        customerId = await customers.createCustomerInTx(s, { identities: [identity] });
      }
    }
    const result = await sales.storeReceipts(s, [
      {
        storeCode: body.store,
        number: body.number,
        customerId,
        kind: body.kind,
        occurredAt: new Date(body.occurredAt),
        currency: body.currency,
        lines,
        originalReceiptId,
        source: 'api',
      },
    ]);
    if (result.conflicts.length > 0) {
      throw new AppError('SALES_RECEIPT_CONFLICT', `Receipt ${body.number} of store ${body.store} is already stored with different content.`, {
        fields: [{ field: 'number', message: 'already used for a different receipt' }],
      });
    }
    return { replayed: result.skipped.length > 0 };
  }));
  return { replayed: outcome.replayed, receipt: await sales.getReceiptByKey(database, body.store, body.number) };
}

/**
 * Two tills may register the same new card at the same moment: one transaction wins the identity, the other fails
 * on its unique key. Retrying finds the card and uses it, so neither till sees an error.
 */
async function withUniqueRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      // The other till's new customer may also be seen committed before our insert (taken), not only by it (23505).
      const code = e instanceof AppError ? e.code : pgCode(e);
      if (i >= attempts || (code !== '23505' && code !== '40001' && code !== '40P01' && code !== 'CUSTOMERS_IDENTITY_TAKEN')) throw e;
    }
  }
}
