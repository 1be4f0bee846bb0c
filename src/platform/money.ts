/**
 * Money is an integer count of minor units (pence, kopecks, cents) with an ISO 4217 currency. Files and the API
 * carry decimals; they are parsed exactly (no floats) and rounded by one named rule, half-to-even.
 */
export type Money = { amountMinor: number; currency: string };

const KNOWN = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return KNOWN.has(code);
}

const exponents = new Map<string, number>();

/** Digits after the decimal point of the currency's minor unit (GBP 2, JPY 0, KWD 3), from the ICU tables. */
export function currencyExponent(code: string): number {
  let e = exponents.get(code);
  if (e === undefined) {
    if (!isKnownCurrency(code)) throw new RangeError(`unknown currency ${code}`);
    e = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(code, e);
  }
  return e;
}

/** An exact decimal: value = mantissa / 10^scale. */
type Decimal = { mantissa: bigint; scale: number };

const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?$|^([+-]?)\.(\d+)$/;

/** Parses "12", "-3.50", ".5". Returns undefined for anything else (exponents, commas, blanks). */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) return undefined;
  const sign = m[1] ?? m[4] ?? '';
  const int = m[2] ?? '0';
  const frac = m[3] ?? m[5] ?? '';
  const mantissa = BigInt(int + frac);
  return { mantissa: sign === '-' ? -mantissa : mantissa, scale: frac.length };
}

/** Divides by 10^shift, rounding half to even (banker's rounding), so that sums of many roundings stay unbiased. */
export function roundHalfEven(mantissa: bigint, shift: number): bigint {
  if (shift <= 0) return mantissa * 10n ** BigInt(-shift);
  const div = 10n ** BigInt(shift);
  const neg = mantissa < 0n;
  const abs = neg ? -mantissa : mantissa;
  let q = abs / div;
  const r = abs % div;
  const twice = r * 2n;
  if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

function toSafeNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError('amount out of range');
  }
  return Number(v);
}

/**
 * Fast path for the common case (up to 12 integer digits, up to 3 decimals): the exact value × 1000 as a JS number,
 * which is exact below 2^53. Undefined when the text is not of that shape (the caller then takes the BigInt path).
 * A character loop, not a regular expression: it runs three times per imported row, and the match arrays and
 * captured substrings of a regex were a measurable share of the import's garbage.
 */
function smallThousandths(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  const neg = n > 0 && text.charCodeAt(0) === 45; /* - */
  if (neg) i = 1;
  let v = 0;
  const intStart = i;
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > 12) return undefined;
  v *= 1000;
  if (i < n) {
    if (text.charCodeAt(i) !== 46 /* . */ || n - i - 1 < 1 || n - i - 1 > 3) return undefined;
    let scale = 100;
    for (i++; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      v += d * scale;
      scale /= 10;
    }
  }
  return neg ? -v : v;
}

/** Rounds an exact integer count of thousandths to `exp` decimals (exp ≤ 3), half to even. */
function roundThousandths(v: number, exp: number): number {
  const div = 10 ** (3 - exp);
  if (div === 1) return v;
  const neg = v < 0;
  const abs = neg ? -v : v;
  let q = Math.floor(abs / div);
  const twice = (abs - q * div) * 2;
  if (twice > div || (twice === div && q % 2 === 1)) q += 1;
  return neg ? -q : q;
}

/** A decimal amount in the currency's major unit, as minor units. Undefined when the text is not a decimal. */
export function decimalToMinor(text: string, currency: string): number | undefined {
  const exp = currencyExponent(currency);
  if (exp <= 3) {
    const small = smallThousandths(text);
    if (small !== undefined) return roundThousandths(small, exp) + 0;
  }
  const d = parseDecimal(text);
  if (!d) return undefined;
  return toSafeNumber(roundHalfEven(d.mantissa, d.scale - currencyExponent(currency)));
}

/** quantity × unit price, computed exactly, then rounded half-even to minor units. */
export function lineAmountMinor(quantity: string, unitPrice: string, currency: string): number | undefined {
  const exp = currencyExponent(currency);
  if (exp <= 3) {
    const qs = smallThousandths(quantity);
    const ps = smallThousandths(unitPrice);
    // qs × ps is in millionths; exact as long as it stays below 2^53.
    if (qs !== undefined && ps !== undefined && Math.abs(qs * ps) < Number.MAX_SAFE_INTEGER && Number.isInteger(qs / 1000)) {
      return roundThousandths((qs / 1000) * ps, exp) + 0;
    }
  }
  const q = parseDecimal(quantity);
  const p = parseDecimal(unitPrice);
  if (!q || !p) return undefined;
  return toSafeNumber(roundHalfEven(q.mantissa * p.mantissa, q.scale + p.scale - currencyExponent(currency)));
}

/** Minor units as a plain decimal string in the major unit: 12345 GBP → "123.45". */
export function minorToDecimal(amountMinor: number, currency: string): string {
  const e = currencyExponent(currency);
  if (e === 0) return String(amountMinor);
  const neg = amountMinor < 0;
  if (e === 2 && Number.isSafeInteger(amountMinor)) {
    // Cents, the common case (the till renders dozens per basket): one string built, no padding and slicing.
    const abs = neg ? -amountMinor : amountMinor;
    const cents = abs % 100;
    return `${neg ? '-' : ''}${(abs - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
  }
  const digits = String(Math.abs(amountMinor)).padStart(e + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -e)}.${digits.slice(-e)}`;
}

/** The unit price, in minor units, of a line whose amount and quantity are known: amount ÷ quantity, half-even. */
export function unitPriceFromAmount(amountMinor: number, quantity: string): number | undefined {
  const q = parseDecimal(quantity);
  if (!q) return undefined;
  if (q.mantissa === 0n) return 0;
  let num = BigInt(amountMinor) * 10n ** BigInt(q.scale);
  let den = q.mantissa;
  if (den < 0n) {
    den = -den;
    num = -num;
  }
  const neg = num < 0n;
  const abs = neg ? -num : num;
  let quo = abs / den;
  const twice = (abs % den) * 2n;
  if (twice > den || (twice === den && quo % 2n === 1n)) quo += 1n;
  return toSafeNumber(neg ? -quo : quo);
}
