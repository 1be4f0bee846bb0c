import { AppError } from '../../../platform/errors.ts';
import { decimalToMinor, unitPriceFromAmount } from '../../../platform/money.ts';
import { checkCurrency, checkDecimal, parseIsoDate } from './fields.ts';
import type { ImportFormat, RowResult } from './types.ts';

const REQUIRED = ['customer_id', 'date', 'amount'] as const;
const OPTIONAL = ['receipt_id', 'store_id', 'currency', 'sku', 'quantity', 'unit_price'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

/**
 * The canonical receipts CSV that other tools export to. One row per receipt line; `amount` is the line amount
 * (after line discounts, so it is kept as given; unit_price defaults to amount ÷ quantity).
 * Rows with the same store_id and receipt_id form one receipt. Without receipt_id, each row is a receipt numbered
 * `<customer_id>-<date>-<n>`, n counting consecutive rows of that customer and date. A receipt whose total is
 * negative is a return. An empty customer_id is an anonymous sale.
 */
export const receiptsCsv: ImportFormat = {
  name: 'receipts',
  records: 'csv',
  defaultStore: { code: 'main', name: 'Main store', currency: 'GBP' },
  begin(first, opts) {
    const header = first.map((h) => h.trim().toLowerCase());
    const missing = REQUIRED.filter((c) => !header.includes(c));
    if (missing.length > 0) {
      throw new AppError(
        'IMPORT_MISSING_COLUMN',
        `Line 1: the header lacks required column ${missing.join(', ')} (required: ${REQUIRED.join(', ')}; optional: ${OPTIONAL.join(', ')}).`,
        { line: 1, fields: missing.map((m) => ({ field: m, message: 'missing column' })) },
      );
    }
    const idx = (c: Column) => header.indexOf(c);
    const cols = Object.fromEntries([...REQUIRED, ...OPTIONAL].map((c) => [c, idx(c)])) as Record<Column, number>;
    const defaultStore = opts.store ?? receiptsCsv.defaultStore.code;
    const defaultCurrency = opts.currency ?? receiptsCsv.defaultStore.currency;
    let prevKey = '';
    let n = 0;
    return {
      header: first,
      firstIsHeader: true,
      map(r): RowResult {
        const get = (c: Column) => (cols[c] >= 0 ? (r[cols[c]] ?? '').trim() : '');
        const storeCode = get('store_id') || defaultStore;
        const customer = get('customer_id');
        const dateText = get('date');
        let number = get('receipt_id');
        if (number === '') {
          const key = `${customer}-${dateText}`;
          n = key === prevKey ? n + 1 : 1;
          prevKey = key;
          number = `${key}-${n}`;
        }
        const receiptKey = { storeCode, number };
        const fail = (field: string, message: string): RowResult => ({ error: { field, message, receiptKey } });
        if (dateText === '') return fail('date', 'is empty');
        const at = parseIsoDate(dateText);
        if (typeof at === 'string') return fail('date', at);
        const currency = (get('currency') || defaultCurrency).toUpperCase();
        const badCurrency = checkCurrency(currency);
        if (badCurrency) return fail('currency', badCurrency);
        const amountText = get('amount');
        if (amountText === '') return fail('amount', 'is empty');
        const amount = decimalToMinor(amountText, currency);
        if (amount === undefined) return fail('amount', `'${amountText}' is not a number`);
        const qtyText = get('quantity') || '1';
        const qty = checkDecimal(qtyText, 'quantity', 3);
        if ('error' in qty) return fail('quantity', qty.error);
        const priceText = get('unit_price');
        let priceMinor: number | undefined;
        if (priceText !== '') {
          priceMinor = decimalToMinor(priceText, currency);
          if (priceMinor === undefined) return fail('unit_price', `'${priceText}' is not a number`);
        }
        if (customer.length > 128) return fail('customer_id', 'is longer than 128 characters');
        const sku = get('sku');
        return {
          row: {
            storeCode,
            number,
            customerExternalId: customer === '' ? null : customer,
            occurredAt: at,
            currency,
            sku: sku === '' ? null : sku,
            quantity: qty.text,
            unitPriceMinor: priceMinor ?? unitPriceFromAmount(amount, qty.text) ?? 0,
            amountMinor: amount,
          },
        };
      },
    };
  },
};
