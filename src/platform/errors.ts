/**
 * One error type for the whole program. Each code belongs to a module (prefix) and maps to one HTTP status in
 * ERROR_CODES, which is the documented table (see docs/errors.md).
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { status: 500, description: 'A configuration value is missing or malformed.' },
  VALIDATION_FAILED: { status: 400, description: 'The request body, query or a CLI flag failed validation.' },
  NOT_FOUND: { status: 404, description: 'No route matches the request.' },
  CONFLICT: { status: 409, description: 'The write conflicts with stored data (a unique key is taken).' },
  RETRY: { status: 503, description: 'A transient database conflict; the request can be retried as is.' },
  RATE_LIMITED: { status: 429, description: 'Too many requests for this API key.' },
  INTERNAL: { status: 500, description: 'An unexpected error. Details are logged, never returned.' },
  AUTH_MISSING_KEY: { status: 401, description: 'No API key (Authorization: Bearer <key>) and no console session cookie was given.' },
  AUTH_INVALID_KEY: { status: 401, description: 'The API key is unknown or revoked.' },
  AUTH_FORBIDDEN: { status: 403, description: "The key's role may not use this endpoint." },
  AUTH_BAD_CREDENTIALS: { status: 401, description: 'The e-mail or the password is wrong (the answer does not say which).' },
  AUTH_SESSION_EXPIRED: { status: 401, description: 'The console session cookie names a session that has ended (idle or absolute timeout, or logout).' },
  AUTH_CSRF: { status: 403, description: 'A write authenticated by the console session cookie lacks the header "x-patron-console: 1".' },
  CUSTOMERS_NOT_FOUND: { status: 404, description: 'No customer has this id or identity.' },
  CUSTOMERS_IDENTITY_TAKEN: { status: 409, description: 'The identity already belongs to another customer.' },
  CUSTOMERS_ERASED: { status: 410, description: 'The customer was erased on request.' },
  CUSTOMERS_MERGED: { status: 409, description: 'The customer was merged into another and can no longer change.' },
  SALES_RECEIPT_CONFLICT: {
    status: 409,
    description: 'A receipt with this store and number is stored with different content.',
  },
  SALES_RECEIPT_NOT_FOUND: { status: 404, description: 'No receipt has this id, or this store and number.' },
  SALES_UNKNOWN_CURRENCY: { status: 400, description: 'The currency is not an ISO 4217 code.' },
  IMPORT_FILE_UNREADABLE: { status: 400, description: 'The import file is missing, not a CSV or a truncated gzip.' },
  IMPORT_MISSING_COLUMN: { status: 400, description: 'The import file lacks a required column.' },
  IMPORT_FILE_TOO_LARGE: { status: 413, description: 'The uploaded import file is larger than the upload limit (200 MB).' },
  IMPORT_RUN_NOT_FOUND: { status: 404, description: 'No import run has this id.' },
  IMPORT_NO_REJECTS: { status: 404, description: 'The import run rejected no rows, or its rejects file is gone.' },
  SEGMENTS_NO_PURCHASES: { status: 422, description: 'No purchases on or before the as-of date: there is nothing to segment.' },
  SEGMENTS_INVALID_GRID: { status: 400, description: 'The R×F grid thresholds are not two increasing whole numbers per axis.' },
  SEGMENTS_CLUSTERS_DEGENERATE: {
    status: 422,
    description: 'The customers cannot be clustered as asked: k outside 2..20, fewer (distinct) customers than k, all alike, or a malformed value.',
  },
  ANALYTICS_INVALID_INPUT: {
    status: 400,
    description: 'A transaction or an option of a customer-value model is malformed (a date, an amount, a count).',
  },
  ANALYTICS_EMPTY_CALIBRATION: {
    status: 422,
    description: 'No customer has a purchase in the calibration period, or the period has no length.',
  },
  ANALYTICS_TOO_FEW_CUSTOMERS: { status: 422, description: 'Too few customers to fit a customer-value model (at least two are needed).' },
  ANALYTICS_NO_REPEAT_BUYERS: {
    status: 422,
    description: 'No customer made a repeat purchase in the calibration period: the model cannot be fitted.',
  },
  ANALYTICS_FIT_NOT_CONVERGED: {
    status: 422,
    description: 'The model fit did not converge; the details hold the last parameters, gradient and iterations.',
  },
  ANALYTICS_NO_FIT: { status: 404, description: 'No fit of this model exists yet: fit it first, or give a calibration end.' },
  ANALYTICS_NO_HISTORY: { status: 422, description: 'The customer has no purchase before the calibration end of the fit.' },
  LOYALTY_NO_PROGRAM: { status: 409, description: 'No loyalty program is configured yet (PUT /api/v1/loyalty/program).' },
  LOYALTY_CURRENCY_MISMATCH: { status: 400, description: "The basket's currency differs from the program's." },
  LOYALTY_INSUFFICIENT_POINTS: { status: 409, description: 'The redemption asks for more points than the wallet holds or the receipt allows; nothing was written.' },
  LOYALTY_UNKNOWN_CUSTOMER: { status: 422, description: 'Points or a ladder step were asked for without a known customer (unknown, blocked or replaced card).' },
  LOYALTY_LADDER_STEP_UNKNOWN: { status: 400, description: 'The accepted ladder step is not one of the program’s steps.' },
  LOYALTY_RECEIPT_NOT_FOUND: { status: 404, description: 'No till receipt has this store and number.' },
  LOYALTY_RETURN_EXCEEDS: { status: 422, description: 'The return asks for more of a line than is left to return, or names a line the receipt does not have.' },
  LOYALTY_CERTIFICATE_INVALID: { status: 422, description: 'The certificate is unknown, expired, in another currency, spent, or covers none of the basket’s categories.' },
  LOYALTY_CERTIFICATE_TAKEN: { status: 409, description: 'A certificate with this code exists already.' },
  LOYALTY_CARD_NOT_FOUND: { status: 404, description: 'No card has this number.' },
  LOYALTY_QUOTE_INVALID: { status: 400, description: 'The quote token is not one this Patron issued (altered, truncated, or sealed with another key), or is for another store.' },
  LOYALTY_QUOTE_EXPIRED: { status: 422, description: 'The quote token has expired (PATRON_QUOTE_TTL_MINUTES after the quote): quote the basket again.' },
  LOYALTY_PROGRAM_VERSION_NOT_FOUND: { status: 404, description: 'The program has no version with this number.' },
  LOYALTY_CARD_TAKEN: { status: 409, description: 'The card number is issued already, or bound to another customer.' },
  LOYALTY_CARD_INACTIVE: { status: 409, description: 'The card is blocked or replaced and cannot change.' },
  LOYALTY_PARTNER_TAKEN: { status: 409, description: 'A partner with this code exists, or one of its stores belongs to another partner.' },
  OFFERS_NOT_FOUND: { status: 404, description: 'No offer has this id.' },
  OFFERS_ARCHIVED: { status: 409, description: 'The offer is archived and cannot change; make a new one.' },
  EXPERIMENTS_NOT_FOUND: { status: 404, description: 'No experiment has this name.' },
  EXPERIMENTS_NAME_TAKEN: { status: 409, description: 'An experiment with this name exists already; choose another name (--name).' },
  EXPERIMENTS_INVALID_ROW: { status: 400, description: 'A row of the experiment file is malformed: a missing column or value, or a value out of range (the line and the field are named); nothing was stored.' },
  EXPERIMENTS_OUTCOME_NOT_BINARY: { status: 400, description: 'A 0/1 outcome (visit, conversion) holds another value on some line (named); nothing was stored.' },
  EXPERIMENTS_EMPTY_ARM: { status: 422, description: 'An arm the experiment expects has no customers in the file; nothing was stored.' },
  EXPERIMENTS_CANNOT_EVALUATE: { status: 422, description: 'The uplift model cannot be evaluated as asked: the outcome is not 0/1, or the split leaves an arm or an outcome value without customers.' },
  CAMPAIGNS_NOT_FOUND: { status: 404, description: 'No campaign has this name or id.' },
  CAMPAIGNS_NAME_TAKEN: { status: 409, description: 'A campaign with this name exists already.' },
  CAMPAIGNS_UNKNOWN_SEGMENT: { status: 400, description: 'The audience names a segment that is not an R×F cell or RFM segment (the field and the known names are given); nothing was stored.' },
  CAMPAIGNS_TEMPLATE_INVALID: { status: 400, description: 'The template does not parse, or names a placeholder or helper that is not allowed (named, with the allowed ones); nothing was stored.' },
  CAMPAIGNS_NO_SEGMENTS: { status: 409, description: 'No segment refresh exists yet, so there is no audience: refresh the segments first.' },
  CAMPAIGNS_ALREADY_LAUNCHED: { status: 409, description: 'The campaign is launched already; its audience and outbox stay as they are.' },
  CAMPAIGNS_NOT_LAUNCHED: { status: 409, description: 'The campaign is not launched yet: it has no members to report on.' },
  CAMPAIGNS_OUTSIDE_SCHEDULE: { status: 409, description: "The launch time is outside the campaign's schedule (before its start or after its end)." },
  CAMPAIGNS_OVER_BUDGET: { status: 422, description: "The messages of the launch would cost more than the campaign's budget; nothing was written." },
  CAMPAIGNS_NO_WEBHOOK: { status: 422, description: 'Neither the campaign nor the configuration (PATRON_CAMPAIGN_WEBHOOK_URL, _SECRET) names a webhook to deliver to.' },
  CAMPAIGNS_NOT_IN_AUDIENCE: { status: 422, description: "The customer is in none of the campaign's segments (or has no consent for its channels): name a variant to preview." },
  CAMPAIGNS_DELIVERY_NOT_FOUND: { status: 404, description: 'No outbox message has this id.' },
  CAMPAIGNS_BAD_SIGNATURE: { status: 401, description: "The delivery callback's x-patron-signature is missing or is not the HMAC-SHA256 of the body with the campaign's secret." },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export type ErrorDetails = {
  /** The offending fields, as paths ("identities.0.value") or CSV column names. */
  fields?: { field: string; message: string }[];
  [key: string]: unknown;
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** A zod issue's path as a field name in errors: `burn.maxSharePercent`, `stacking.groups[0].excludes[1]`, `[2].rule.discount`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Translates the Postgres errors a caller can act on; everything else is returned unchanged. */
export function translateDbError(e: unknown): unknown {
  const code = pgCode(e);
  if (code === '23505') {
    return new AppError('CONFLICT', 'A record with this key already exists.', {
      constraint: (e as { constraint?: string }).constraint,
    });
  }
  if (code === '40001' || code === '40P01') {
    return new AppError('RETRY', 'The database reported a transient conflict; retry the request.');
  }
  return e;
}

/** The SQLSTATE of a Postgres error, from node-postgres, PGlite or a Drizzle wrapper around either. */
export function pgCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
