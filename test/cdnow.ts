import { readFileSync } from 'node:fs';
import type { Transaction } from '../src/modules/analytics/index.ts';

/** The CDNOW data set of Fader, Hardie & Lee (2005), described with its published figures in shared/data/cdnow/README.md. */
export const CDNOW_DIR = new URL('../../shared/data/cdnow/', import.meta.url).pathname;

function utcDate(yyyymmdd: string): Date {
  return new Date(Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8))));
}

/** CDNOW_sample.txt (master id, sample id, YYYYMMDD, CDs, dollars); the sample id is the customer id. */
export function readCdnowSample(): Transaction[] {
  return readFileSync(`${CDNOW_DIR}CDNOW_sample.txt`, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [, sampleId, date, , dollars] = l.trim().split(/\s+/);
      return { customerId: String(Number(sampleId)), at: utcDate(date!), amount: Number(dollars) };
    });
}

/** A CSV of the lifetimes data sets as rows of numbers keyed by the header's names. */
export function readCdnowCsv(name: string): Record<string, number>[] {
  const [header, ...rows] = readFileSync(`${CDNOW_DIR}${name}`, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const cols = header!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i]!, Number(v)])));
}

export const CALIBRATION_END = new Date(Date.UTC(1997, 8, 30));
export const HOLDOUT_END = new Date(Date.UTC(1998, 5, 30));
