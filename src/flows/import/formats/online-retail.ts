import { AppError } from '../../../platform/errors.ts';
import { lineAmountMinor, decimalToMinor } from '../../../platform/money.ts';
import { checkDecimal, parseIsoDate } from './fields.ts';
import type { ImportFormat, RowResult } from './types.ts';

const COLUMNS = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'] as const;

/**
 * UCI Online Retail (a UK gift retailer, 2010–2011): one row per receipt line. Invoices starting with "C" are
 * returns. Rows without CustomerID are anonymous sales. Identical rows in one invoice are two scans: both are kept.
 */
export const onlineRetail: ImportFormat = {
  name: 'online-retail',
  records: 'csv',
  defaultStore: { code: 'online-retail', name: 'Online Retail (UK)', currency: 'GBP' },
  begin(first, opts) {
    const idx = Object.fromEntries(COLUMNS.map((c) => [c, first.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
    const missing = COLUMNS.filter((c) => idx[c] < 0);
    if (missing.length > 0) {
      throw new AppError('IMPORT_MISSING_COLUMN', `Line 1: the header lacks column ${missing.join(', ')} (expected ${COLUMNS.join(',')}).`, {
        line: 1,
        fields: missing.map((m) => ({ field: m, message: 'missing column' })),
      });
    }
    const storeCode = opts.store ?? onlineRetail.defaultStore.code;
    const currency = opts.currency ?? onlineRetail.defaultStore.currency;
    return {
      header: first,
      firstIsHeader: true,
      map(r): RowResult {
        // Hot path (one call per file row): no closures are created here.
        const invoice = cell(r, idx.InvoiceNo);
        if (invoice === '') return { error: { field: 'InvoiceNo', message: 'is empty' } };
        const qtyText = cell(r, idx.Quantity);
        const qty = checkDecimal(qtyText, 'Quantity', 3);
        if ('error' in qty) return failure(storeCode, invoice, 'Quantity', qty.error);
        const price = cell(r, idx.UnitPrice);
        const priceMinor = decimalToMinor(price, currency);
        if (priceMinor === undefined) return failure(storeCode, invoice, 'UnitPrice', `'${price}' is not a number`);
        if (priceMinor < 0) return failure(storeCode, invoice, 'UnitPrice', `'${price}' is negative (a bad-debt adjustment, not a sale)`);
        const at = parseIsoDate(cell(r, idx.InvoiceDate));
        if (typeof at === 'string') return failure(storeCode, invoice, 'InvoiceDate', at);
        let customer = cell(r, idx.CustomerID);
        if (customer.endsWith('.0')) customer = customer.slice(0, -2);
        if (customer !== '' && !/^\d+$/.test(customer)) return failure(storeCode, invoice, 'CustomerID', `'${customer}' is not a customer number`);
        const sku = cell(r, idx.StockCode);
        return {
          row: {
            storeCode,
            number: invoice,
            customerExternalId: customer === '' ? null : customer,
            customerCountry: cell(r, idx.Country) || null,
            occurredAt: at,
            currency,
            kind: invoice.charCodeAt(0) === 67 /* C */ ? 'return' : 'sale',
            sku: sku === '' ? null : sku,
            productName: cell(r, idx.Description) || null,
            quantity: qty.text,
            unitPriceMinor: priceMinor,
            amountMinor: lineAmountMinor(qty.text, price, currency) ?? 0,
          },
        };
      },
    };
  },
};

function cell(r: readonly string[], i: number): string {
  const v = r[i];
  return v === undefined ? '' : v.trim();
}

function failure(storeCode: string, number: string, field: string, message: string): RowResult {
  return { error: { field, message, receiptKey: { storeCode, number } } };
}
