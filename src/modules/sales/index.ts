/** Sales: receipts and returns, stored whole and at most once per (store, number). */
export {
  /** Bulk: stores receipts in the caller's transaction, skipping replays and reporting conflicts. */
  storeReceipts,
  /** The receipt stored under a store and number, if any. */
  findReceiptByKey,
  /** The receipt stored under a store and number, or SALES_RECEIPT_NOT_FOUND. */
  getReceiptByKey,
  /** A page of a customer's receipts, newest first, with a cursor for the next. */
  receiptTimeline,
  /** Per-currency totals of a customer: receipts, returns, revenue, first and last purchase. */
  customerTotals,
  /** Moves a merged customer's receipts to the survivor. */
  reassignReceipts,
  /** Counts of stored sales, returns and lines. */
  countReceipts,
  /** The currency with the most purchases on or before a date. */
  mainCurrency,
  /** The day (UTC) of the latest purchase: the default as-of date of reports. */
  latestPurchaseDate,
  /** Net spend and purchases per customer over a period, in one currency (tiers). */
  spendByCustomer,
} from './sales.service.ts';
/** Receipt domain: inputs, totals, content digest. */
export { receiptContentHash, receiptTotal } from './domain/receipt.ts';
export type { ReceiptInput, ReceiptLineInput, ReceiptKind } from './domain/receipt.ts';
export type { StoreReceiptsResult } from './sales.repository.ts';
export type { CustomerTotals } from './sales.repository.ts';
/** Request and response schemas, shared with the console. */
export * as salesContracts from './sales.contract.ts';
export type { Receipt } from './sales.contract.ts';
