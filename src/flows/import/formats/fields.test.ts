import { describe, expect, it } from 'vitest';
import { checkCurrency, checkDecimal, parseCompactDate, parseIsoDate } from './fields.ts';

const iso = (text: string) => {
  const d = parseIsoDate(text);
  return d instanceof Date ? d.toISOString() : d;
};

describe('parseIsoDate', () => {
  it('rejects impossible calendar dates instead of rolling them over', () => {
    expect(iso('2011-02-30')).toBe("'2011-02-30' is not a calendar date");
    expect(iso('2011-02-29')).toMatch(/not a calendar date/);
    expect(iso('2011-13-01')).toMatch(/not a calendar date/);
    expect(iso('2011-04-31 10:00:00')).toMatch(/not a calendar date/);
    expect(iso('2012-02-29')).toBe('2012-02-29T00:00:00.000Z');
  });

  it('reads a date alone as midnight UTC', () => {
    expect(iso('2011-12-09')).toBe('2011-12-09T00:00:00.000Z');
    expect(iso(' 2011-12-09 ')).toBe('2011-12-09T00:00:00.000Z');
  });

  it('reads a time without offset as UTC, and applies an offset when there is one', () => {
    expect(iso('2010-12-01 08:26:00')).toBe('2010-12-01T08:26:00.000Z');
    expect(iso('2010-12-01T08:26')).toBe('2010-12-01T08:26:00.000Z');
    expect(iso('2010-12-01T08:26:00Z')).toBe('2010-12-01T08:26:00.000Z');
    expect(iso('2010-12-01T08:26:00+02:00')).toBe('2010-12-01T06:26:00.000Z');
    expect(iso('2010-12-01T08:26:00+0200')).toBe('2010-12-01T06:26:00.000Z');
    expect(iso('2010-12-01T08:26:00-05:30')).toBe('2010-12-01T13:56:00.000Z');
    expect(iso('2011-01-01T01:00:00+03:00')).toBe('2010-12-31T22:00:00.000Z');
    expect(iso('2010-12-01T08:26:00.250Z')).toBe('2010-12-01T08:26:00.250Z');
  });

  it('rejects impossible times, offsets and other shapes, quoting the text', () => {
    expect(iso('2010-12-01T24:00:00')).toMatch(/impossible time/);
    expect(iso('2010-12-01T23:60')).toMatch(/impossible time/);
    expect(iso('2010-12-01T08:26:00+25:00')).toMatch(/not a valid date-time/);
    expect(iso('01/12/2010 08:26')).toBe("'01/12/2010 08:26' is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])");
    expect(iso('')).toMatch(/not an ISO date/);
    expect(iso('2010-12-1')).toMatch(/not an ISO date/);
  });

  it('keeps years below 100 as written', () => {
    expect(iso('0099-06-01')).toBe('0099-06-01T00:00:00.000Z');
  });

  it('gives each caller its own Date, even for a repeated text', () => {
    const a = parseIsoDate('2011-05-05 10:00:00') as Date;
    a.setUTCFullYear(1999);
    expect(iso('2011-05-05 10:00:00')).toBe('2011-05-05T10:00:00.000Z');
    // A bad text after a good one, and the good one again: no stale answer.
    expect(iso('2011-02-30')).toMatch(/not a calendar date/);
    expect(iso('2011-05-05 10:00:00')).toBe('2011-05-05T10:00:00.000Z');
  });
});

describe('parseCompactDate', () => {
  it('reads YYYYMMDD and quotes the file text when it is wrong', () => {
    expect((parseCompactDate('19970101') as Date).toISOString()).toBe('1997-01-01T00:00:00.000Z');
    expect(parseCompactDate('19970230')).toBe("'19970230' is not a calendar date");
    expect(parseCompactDate('1997-01-01')).toMatch(/not a date in YYYYMMDD form/);
  });
});

describe('checkDecimal and checkCurrency', () => {
  it('accepts plain decimals only, up to the scale', () => {
    expect(checkDecimal('12', 'quantity')).toEqual({ text: '12' });
    expect(checkDecimal('-.5', 'quantity')).toEqual({ text: '-.5' });
    expect(checkDecimal('1e5', 'quantity')).toEqual({ error: "'1e5' is not a number" });
    expect(checkDecimal('12,50', 'quantity')).toEqual({ error: "'12,50' is not a number" });
    expect(checkDecimal('1.2345', 'quantity', 3)).toEqual({ error: "quantity '1.2345' has more than 3 decimals" });
  });

  it('knows ISO 4217 codes', () => {
    expect(checkCurrency('GBP')).toBeUndefined();
    expect(checkCurrency('XYZ')).toBe("'XYZ' is not an ISO 4217 currency code");
  });
});
