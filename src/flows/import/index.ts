/** Bulk import of receipt files: Online Retail, CDNOW and the canonical receipts CSV. */
import { cdnow } from './formats/cdnow.ts';
import { onlineRetail } from './formats/online-retail.ts';
import { receiptsCsv } from './formats/receipts.ts';
import type { ImportFormat } from './formats/types.ts';

export const IMPORT_FORMATS: Record<string, ImportFormat> = {
  'online-retail': onlineRetail,
  cdnow,
  receipts: receiptsCsv,
};

export { runImport, type ImportSummary, type ImportOptions, type ImportProgress } from './run-import.ts';
export type { ImportFormat } from './formats/types.ts';
