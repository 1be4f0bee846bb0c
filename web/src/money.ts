const exponents = new Map<string, number>();

/** Digits after the point of a currency (GBP 2, JPY 0), from Intl, to turn the API's minor units into major ones. */
export function currencyExponent(currency: string): number {
  let e = exponents.get(currency);
  if (e === undefined) {
    e = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(currency, e);
  }
  return e;
}

export function minorToMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}

/** A minor-unit integer as the decimal string the API uses, without floating point: 12345 GBP → "123.45". */
export function minorToDecimal(minor: number, currency: string): string {
  const e = currencyExponent(currency);
  if (e === 0) return String(minor);
  const neg = minor < 0;
  const s = String(Math.abs(minor)).padStart(e + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, -e)}.${s.slice(-e)}`;
}
