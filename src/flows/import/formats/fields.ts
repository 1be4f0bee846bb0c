import { currencyExponent, isKnownCurrency } from '../../../platform/money.ts';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO date or date-time. A time without an offset is read as UTC (the file's clock); a date alone is midnight UTC.
 * Impossible dates (2011-02-30) are errors, not rolled over.
 */
let lastText = '';
let lastDate: Date | string = '';

export function parseIsoDate(text: string): Date | string {
  // Rows of one receipt repeat their date: remember the last one. A Date is mutable, so each caller gets its own.
  if (text !== lastText) {
    lastDate = parseIsoDateUncached(text);
    lastText = text;
  }
  return typeof lastDate === 'string' ? lastDate : new Date(lastDate.getTime());
}

function parseIsoDateUncached(text: string): Date | string {
  const m = DATE_RE.exec(text.trim());
  if (!m) return `'${text}' is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])`;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', off] = m;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const day = new Date(0);
  day.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) {
    return `'${text}' is not a calendar date`;
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return `'${text}' has an impossible time`;
  const offset = !off || off === 'Z' ? 'Z' : off.length === 5 ? `${off.slice(0, 3)}:${off.slice(3)}` : off;
  const out = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`);
  return Number.isNaN(out.getTime()) ? `'${text}' is not a valid date-time` : out;
}

/** A compact date YYYYMMDD (the CDNOW files). */
export function parseCompactDate(text: string): Date | string {
  if (!/^\d{8}$/.test(text)) return `'${text}' is not a date in YYYYMMDD form`;
  const at = parseIsoDate(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`);
  // The message quotes what the file says, not the ISO form it was rewritten to.
  return typeof at === 'string' ? `'${text}' is not a calendar date` : at;
}

export function checkCurrency(code: string): string | undefined {
  return isKnownCurrency(code) ? undefined : `'${code}' is not an ISO 4217 currency code`;
}

/** A decimal with at most `maxScale` digits after the point, as text; or an error message. */
const DECIMAL_SHAPE = /^[+-]?(?:\d+(?:\.(\d+))?|\.(\d+))$/;

export function checkDecimal(text: string, what: string, maxScale = 6): { text: string } | { error: string } {
  const m = DECIMAL_SHAPE.exec(text);
  if (!m) return { error: `'${text}' is not a number` };
  if ((m[1] ?? m[2] ?? '').length > maxScale) return { error: `${what} '${text}' has more than ${maxScale} decimals` };
  return { text };
}

export { currencyExponent };
