/**
 * Request and response schemas of the console's own endpoints (overview and uploads), shared with the web console.
 * zod only: the web app bundles this file. The sign-in schemas are the staff module's (staff.contract.ts).
 */
import { z } from 'zod';

const IsoDate = z.iso.date();
const Currency = z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code');
/** Money as a decimal string in the currency's major unit ("1234.50"). */
const Decimal = z.string();

/** GET /api/v1/console/overview. `asOf` defaults to the date of the latest purchase; `currency` to the most used one. */
export const OverviewQuery = z.object({ asOf: IsoDate.optional(), currency: Currency.optional() });
export type OverviewQuery = z.infer<typeof OverviewQuery>;

/**
 * Headline figures as of a date (whole UTC days; "the N days up to asOf" includes asOf). Purchases are the published
 * `sales.purchases`: sales of identified customers with at least one positive-price line.
 */
export const Overview = z.object({
  asOf: IsoDate,
  currency: Currency,
  /** Customers with at least one purchase on or before asOf. */
  customers: z.number().int(),
  /** Customers with a purchase in the 90 days up to asOf. */
  activeCustomers: z.number().int(),
  /** Purchase amounts in `currency` in the 365 days up to asOf. */
  revenue: Decimal,
  /** The same for the 365 days before those. */
  revenuePrevious: Decimal,
  /** Purchase receipts in `currency` in the 365 days up to asOf (revenue ÷ receipts is the average purchase). */
  receipts: z.number().int(),
});
export type Overview = z.infer<typeof Overview>;

/** What the console needs before its first page: the date pages report on by default (the latest purchase's). */
export const ConsoleContext = z.object({ defaultAsOf: IsoDate.nullable() });
export type ConsoleContext = z.infer<typeof ConsoleContext>;

/** The formats the console can upload (`patron import <format>` reads the same). */
export const IMPORT_UPLOAD_FORMATS = ['receipts', 'online-retail', 'cdnow'] as const;

/** The largest upload, in bytes. */
export const IMPORT_UPLOAD_LIMIT = 200 * 1024 * 1024;

/**
 * POST /api/v1/imports: the file is the raw request body (Content-Type text/csv, application/gzip or
 * application/octet-stream; gzip is recognised by its bytes). `fileName` is shown in the list of runs.
 */
export const ImportUploadQuery = z.object({
  format: z.enum(IMPORT_UPLOAD_FORMATS),
  fileName: z.string().min(1).max(200).optional(),
  store: z.string().min(1).max(64).optional(),
  currency: Currency.optional(),
});
export type ImportUploadQuery = z.infer<typeof ImportUploadQuery>;

/** 202 to POST /api/v1/imports: the import goes on in the background; poll GET /api/v1/imports/{id}. */
export const ImportStarted = z.object({ id: z.string(), status: z.literal('running') });
export type ImportStarted = z.infer<typeof ImportStarted>;

export const ImportRunStatus = z.enum(['running', 'done', 'failed']);

export const ImportProgress = z.object({
  /** Bytes of the uploaded file read so far (compressed bytes for gzip). */
  bytesRead: z.number().int(),
  totalBytes: z.number().int(),
  linesRead: z.number().int(),
  receiptsCreated: z.number().int(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

/** What an import did (the CLI's `--json` summary). */
export const ImportSummary = z.object({
  format: z.string(),
  file: z.string(),
  importRunId: z.string(),
  linesRead: z.number().int(),
  linesImported: z.number().int(),
  linesRejected: z.number().int(),
  linesCreated: z.number().int(),
  receiptsCreated: z.number().int(),
  receiptsSkipped: z.number().int(),
  receiptsRejected: z.number().int(),
  customersCreated: z.number().int(),
  productsCreated: z.number().int(),
  rejectsFile: z.string().nullable(),
  seconds: z.number(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

/** GET /api/v1/imports/{id}. `summary` is set when done, `error` (a message) when failed. */
export const ImportRun = z.object({
  id: z.string(),
  format: z.string(),
  fileName: z.string(),
  status: ImportRunStatus,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: ImportProgress,
  summary: ImportSummary.nullable(),
  error: z.string().nullable(),
});
export type ImportRun = z.infer<typeof ImportRun>;

export const ImportRunParams = z.object({ id: z.string().min(1).max(64) });

/** GET /api/v1/imports: the latest 20 runs, newest first (console uploads and CLI imports alike). */
export const ImportRunList = z.object({ runs: z.array(ImportRun) });
export type ImportRunList = z.infer<typeof ImportRunList>;
