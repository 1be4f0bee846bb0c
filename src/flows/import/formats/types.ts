import type { ReceiptKind } from '../../../modules/sales/index.ts';

/** One line of a receipt, as read from a file row. */
export type ImportRow = {
  storeCode: string;
  number: string;
  /** The retailer's own customer id; null for an anonymous sale. */
  customerExternalId: string | null;
  customerCountry?: string | null;
  customerAttributes?: Record<string, unknown>;
  occurredAt: Date;
  currency: string;
  /** When the file says it (Online Retail's "C" invoices); otherwise decided by the sign of the receipt total. */
  kind?: ReceiptKind;
  sku: string | null;
  productName?: string | null;
  quantity: string;
  unitPriceMinor: number;
  amountMinor: number;
};

export type RowError = {
  field: string;
  message: string;
  /** The receipt the row belongs to, when it can still be told, so that the whole receipt is rejected. */
  receiptKey?: { storeCode: string; number: string };
};

export type RowResult = { row: ImportRow } | { error: RowError } | { skip: true };

export type FormatOptions = { store?: string | undefined; currency?: string | undefined };

/** A file format: how its records are split, which header it needs, and how a record becomes a receipt line. */
export interface ImportFormat {
  readonly name: string;
  readonly records: 'csv' | 'whitespace';
  /** The store used when the file names none. */
  readonly defaultStore: { code: string; name: string; currency: string };
  /**
   * Called with the first record. Returns the column names for the rejects file and whether the first record was a
   * header, and a mapper for the data records. Throws IMPORT_MISSING_COLUMN for a header without a required column.
   */
  begin(first: string[], opts: FormatOptions): { header: string[]; firstIsHeader: boolean; map(record: string[], line: number): RowResult };
}
