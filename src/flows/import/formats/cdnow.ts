import { decimalToMinor, unitPriceFromAmount } from '../../../platform/money.ts';
import { checkDecimal, parseCompactDate } from './fields.ts';
import type { ImportFormat, RowResult } from './types.ts';

/**
 * The CDNOW cohort files (Fader, Hardie & Lee 2005). Master: `customer_id date number_of_cds dollar_value` with a
 * header. Sample: `master_id sample_id date number_of_cds dollar_value` without one; the sample id is the customer's
 * own id, so that customer 1516 of the papers is customer 1516 here. A row is a purchase: one receipt of one line.
 * The files carry no receipt number, so it is `<customer>-<date>-<n>` with n counting the customer's rows that day.
 */
export const cdnow: ImportFormat = {
  name: 'cdnow',
  records: 'whitespace',
  defaultStore: { code: 'cdnow', name: 'CDNOW', currency: 'USD' },
  begin(first, opts) {
    const isHeader = first.some((f) => /[a-z]/i.test(f));
    const sample = !isHeader && first.length === 5;
    const storeCode = opts.store ?? cdnow.defaultStore.code;
    const currency = opts.currency ?? cdnow.defaultStore.currency;
    const header = sample
      ? ['master_id', 'sample_id', 'date', 'number_of_cds', 'dollar_value']
      : ['customer_id', 'date', 'number_of_cds', 'dollar_value'];
    let prevKey = '';
    let n = 0;
    return {
      header,
      firstIsHeader: isHeader,
      map(r): RowResult {
        if (r.length === 0) return { skip: true };
        if (r.length !== header.length) {
          return { error: { field: 'row', message: `has ${r.length} fields, expected ${header.length} (${header.join(' ')})` } };
        }
        const [masterId, customer, date, cds, dollars] = sample
          ? (r as [string, string, string, string, string])
          : ([r[0], r[0], r[1], r[2], r[3]] as [string, string, string, string, string]);
        const idField = sample ? 'sample_id' : 'customer_id';
        if (!/^\d+$/.test(customer)) return { error: { field: idField, message: `'${customer}' is not a customer number` } };
        const at = parseCompactDate(date);
        if (typeof at === 'string') return { error: { field: 'date', message: at } };
        const key = `${customer}-${date}`;
        n = key === prevKey ? n + 1 : 1;
        prevKey = key;
        const receiptKey = { storeCode, number: `${key}-${n}` };
        const qty = checkDecimal(cds, 'number_of_cds', 0);
        if ('error' in qty) return { error: { field: 'number_of_cds', message: qty.error, receiptKey } };
        const amount = decimalToMinor(dollars, currency);
        if (amount === undefined) return { error: { field: 'dollar_value', message: `'${dollars}' is not a number`, receiptKey } };
        return {
          row: {
            storeCode,
            number: receiptKey.number,
            customerExternalId: sample ? String(Number(customer)) : customer,
            customerAttributes: sample ? { cdnowMasterId: masterId } : undefined,
            occurredAt: at,
            currency,
            sku: null,
            quantity: qty.text,
            unitPriceMinor: unitPriceFromAmount(amount, qty.text) ?? 0,
            amountMinor: amount,
          },
        };
      },
    };
  },
};
