import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, decimalToMinor, isKnownCurrency, lineAmountMinor, minorToDecimal, parseDecimal, roundHalfEven, unitPriceFromAmount } from './money.ts';

/** An independent reference: exact rational arithmetic on BigInt, rounding half to even. */
function refRound(num: bigint, den: bigint): bigint {
  const neg = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  let q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) q++;
  return neg ? -q : q;
}

const decimalText = (maxScale: number) =>
  fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 11n }), fc.integer({ min: 0, max: maxScale })).map(([neg, m, scale]) => {
    const digits = m.toString().padStart(scale + 1, '0');
    const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return { text: (neg && m !== 0n ? '-' : '') + text, mantissa: neg ? -m : m, scale };
  });

describe('money', () => {
  it('knows currencies and their minor units from ICU', () => {
    expect(isKnownCurrency('GBP')).toBe(true);
    expect(isKnownCurrency('RUB')).toBe(true);
    expect(isKnownCurrency('XYZ')).toBe(false);
    expect(currencyExponent('GBP')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('rounds half to even', () => {
    expect(roundHalfEven(125n, 1)).toBe(12n);
    expect(roundHalfEven(135n, 1)).toBe(14n);
    expect(roundHalfEven(-125n, 1)).toBe(-12n);
    expect(roundHalfEven(-126n, 1)).toBe(-13n);
    expect(decimalToMinor('0.125', 'GBP')).toBe(12);
    expect(decimalToMinor('0.135', 'GBP')).toBe(14);
  });

  it('parses decimals exactly and rejects what is not one', () => {
    expect(decimalToMinor('2.55', 'GBP')).toBe(255);
    expect(decimalToMinor('-11062.06', 'GBP')).toBe(-1106206);
    expect(decimalToMinor('.5', 'GBP')).toBe(50);
    expect(decimalToMinor('1e3', 'GBP')).toBeUndefined();
    expect(decimalToMinor('12,5', 'GBP')).toBeUndefined();
    expect(decimalToMinor('abc', 'GBP')).toBeUndefined();
    expect(decimalToMinor('', 'GBP')).toBeUndefined();
  });

  it('decimalToMinor equals exact rounding, for any decimal (property)', () => {
    fc.assert(
      fc.property(decimalText(6), fc.constantFrom('GBP', 'JPY', 'KWD'), (d, cur) => {
        const e = currencyExponent(cur);
        const expected = refRound(d.mantissa * 10n ** BigInt(e), 10n ** BigInt(d.scale));
        expect(decimalToMinor(d.text, cur)).toBe(Number(expected));
      }),
    );
  });

  it('lineAmountMinor equals exact quantity × price rounding (property)', () => {
    fc.assert(
      fc.property(decimalText(3), decimalText(4), fc.constantFrom('GBP', 'RUB', 'JPY'), (q, p, cur) => {
        const e = currencyExponent(cur);
        const expected = refRound(q.mantissa * p.mantissa * 10n ** BigInt(e), 10n ** BigInt(q.scale + p.scale));
        if (expected > BigInt(Number.MAX_SAFE_INTEGER) || expected < -BigInt(Number.MAX_SAFE_INTEGER)) return;
        expect(lineAmountMinor(q.text, p.text, cur)).toBe(Number(expected));
      }),
    );
  });

  it('minorToDecimal inverts decimalToMinor (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom('GBP', 'JPY', 'KWD'), (m, cur) => {
        expect(decimalToMinor(minorToDecimal(m, cur), cur)).toBe(m);
      }),
    );
  });

  it('minorToDecimal writes every decimal of the currency (property, against a BigInt rendering)', () => {
    const reference = (m: number, e: number) => {
      const abs = BigInt(Math.abs(m));
      const unit = 10n ** BigInt(e);
      return `${m < 0 ? '-' : ''}${abs / unit}${e > 0 ? `.${String(abs % unit).padStart(e, '0')}` : ''}`;
    };
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom('EUR', 'RUB', 'JPY', 'KWD'), (m, cur) => {
        expect(minorToDecimal(m, cur)).toBe(reference(m, currencyExponent(cur)));
      }),
    );
    expect([5, -5, 0, 100, -1999].map((m) => minorToDecimal(m, 'EUR'))).toEqual(['0.05', '-0.05', '0.00', '1.00', '-19.99']);
  });

  it('unitPriceFromAmount is amount ÷ quantity rounded half-even', () => {
    expect(unitPriceFromAmount(1000, '3')).toBe(333);
    expect(unitPriceFromAmount(1001, '2')).toBe(500);
    expect(unitPriceFromAmount(1003, '2')).toBe(502);
    expect(unitPriceFromAmount(-1000, '4')).toBe(-250);
    expect(unitPriceFromAmount(500, '0')).toBe(0);
    expect(unitPriceFromAmount(999, '0.5')).toBe(1998);
    expect(parseDecimal('x')).toBeUndefined();
  });
});
