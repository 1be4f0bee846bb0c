import { IMPORT_FORMATS, type ImportFormat } from '../flows/import/index.ts';
import { openInput, streamCsv } from '../flows/import/source.ts';
import { commitSale, quote } from '../flows/till/commit.ts';
import { CommitBody, type PricedResponse } from '../flows/till/till.contract.ts';
import * as customers from '../modules/customers/index.ts';
import * as loyalty from '../modules/loyalty/index.ts';
import type { Database } from '../platform/db/client.ts';
import { minorToDecimal } from '../platform/money.ts';
import { createProgress } from '../platform/progress.ts';

// The demo's last weeks at the till. The demo's loyalty program starts on DEMO_TILL_FROM: the Online Retail sales from
// that day on are not bulk-imported but sold through the till engine, day by day, as a till would have sent them
// (quote, then commit), so that the demo has points earned and spent, offers used against their budgets, discount
// ladder answers and tier upgrades, all from the engine's own code paths. Everything before that day, and every return,
// is imported as history.

/** The first day of the demo's program: sales from then on (5 weeks, about 3,700 receipts) go through the till. */
export const DEMO_TILL_FROM = '2011-11-01';

/** A sale of the demo file that the till takes, as its lines were read. */
export type DemoSale = {
  number: string;
  store: string;
  at: Date;
  customer: string | null;
  country: string | null;
  lines: CommitBody['lines'];
};

/** Points a member must hold before the demo's members start paying with them (10 GBP at the demo's point value). */
const REDEEM_FROM_POINTS = 1000;

/** The demo's product categories, from the Online Retail descriptions and stock codes (the file has none). */
export function demoCategory(sku: string, name: string | null): string | null {
  if (/^gift_/i.test(sku)) return 'gift-vouchers';
  if (name && /\bBAGS?\b/i.test(name)) return 'bags';
  return null;
}

/**
 * The sales of an Online Retail file on or after `from` that the till can take, in the order of their time: every
 * line parses, is on or after `from`, has a positive quantity and a product, and the receipt has one customer and at
 * most the till's 500 lines (CommitBody). A sale the till cannot take is left to the bulk import (it is not in the
 * list), as are all returns.
 */
export async function tillSales(file: string, from: Date): Promise<DemoSale[]> {
  const format = IMPORT_FORMATS['online-retail']!;
  const input = await openInput(file);
  const open = new Map<string, DemoSale>();
  // Receipts with any line the till cannot take (a bad line, one before `from`, a return): left to the import whole.
  const bad = new Set<string>();
  let mapper: ReturnType<ImportFormat['begin']> | undefined;
  await streamCsv(input, (b) => {
    let line = b.firstLine;
    for (const record of b.records) {
      const thisLine = line++;
      if (record.length <= 1 && (record[0] ?? '').trim() === '') continue;
      if (!mapper) {
        mapper = format.begin(record, {});
        if (mapper.firstIsHeader) continue;
      }
      const res = mapper.map(record, thisLine);
      if ('skip' in res) continue;
      if ('error' in res) {
        if (res.error.receiptKey) bad.add(res.error.receiptKey.number);
        continue;
      }
      const r = res.row;
      if (r.kind !== 'sale' || r.occurredAt < from || r.sku === null || !(Number(r.quantity) > 0)) {
        bad.add(r.number);
        continue;
      }
      let sale = open.get(r.number);
      if (!sale) {
        sale = {
          number: r.number,
          store: r.storeCode,
          at: r.occurredAt,
          customer: r.customerExternalId,
          country: r.customerCountry ?? null,
          lines: [],
        };
        open.set(r.number, sale);
      }
      if (r.customerExternalId !== sale.customer) bad.add(r.number);
      if (r.occurredAt < sale.at) sale.at = r.occurredAt;
      sale.lines.push({
        sku: r.sku,
        category: demoCategory(r.sku, r.productName ?? null),
        quantity: r.quantity,
        unitPrice: minorToDecimal(r.unitPriceMinor, r.currency),
        taxRate: '0',
      });
    }
  });
  const sales = [...open.values()].filter((s) => !bad.has(s.number) && CommitBody.safeParse(commitBody(s)).success);
  return sales.sort((a, b) => a.at.getTime() - b.at.getTime() || a.number.localeCompare(b.number));
}

function commitBody(sale: DemoSale): CommitBody {
  return {
    store: sale.store,
    number: sale.number,
    currency: 'GBP',
    at: sale.at.toISOString(),
    occurredAt: sale.at.toISOString(),
    customer: sale.customer ? { kind: 'external', value: sale.customer } : null,
    lines: sale.lines,
    redeemPoints: 0,
    certificates: [],
  };
}

export type DemoTillSummary = {
  sales: number;
  replayed: number;
  pointsEarned: number;
  pointsRedeemed: number;
  discounted: number;
  failed: DemoSale[];
  firstError: string | null;
};

/**
 * Sells `sales` through the till, one day at a time, their customers enrolled first. Each day, the points whose
 * pending period ended by its start are activated, and every sale of the day is quoted, then committed with what its
 * customer chose. A member who holds at least REDEEM_FROM_POINTS pays with all the points the quote allows in four
 * sales of ten (the first of the day only). In three sales of seven the cashier offers the discount ladder to a member
 * not paying with points, and the member takes the step they need (LADDER_NEEDS), so that the sensitivity model has
 * answers to learn from. All is fixed by the receipt's and the customer's numbers: a second run makes the same
 * choices, and the till answers its receipts as replays.
 */
export async function sellAtTill(database: Database, sales: readonly DemoSale[], opts: { progress: boolean }): Promise<DemoTillSummary> {
  const out: DemoTillSummary = { sales: 0, replayed: 0, pointsEarned: 0, pointsRedeemed: 0, discounted: 0, failed: [], firstError: null };
  const days = new Map<string, DemoSale[]>();
  for (const s of sales) {
    const day = s.at.toISOString().slice(0, 10);
    (days.get(day) ?? days.set(day, []).get(day)!).push(s);
  }
  // Customers whose first purchase falls in these weeks join the program at it, as a till would enrol them.
  const people = new Map<string, { externalId: string; country: string | null }>();
  for (const s of sales) if (s.customer && !people.has(s.customer)) people.set(s.customer, { externalId: s.customer, country: s.country });
  const joining = [...people.values()];
  for (let i = 0; i < joining.length; i += 1000)
    await database.transaction((s) => customers.resolveExternalIds(s, joining.slice(i, i + 1000)));
  const bar = createProgress('Demo sales at the till', sales.length, { enabled: opts.progress, unit: 'receipts' });
  try {
    for (const [day, list] of days) {
      await loyalty.activateDue(database, new Date(`${day}T00:00:00Z`));
      const quotes = await Promise.all(list.map((s) => quote(database, commitBody(s)).catch((e: unknown) => e as Error)));
      const seen = new Set<string>();
      const done = await Promise.all(
        list.map((s, i) => {
          const q = quotes[i]!;
          const body = commitBody(s);
          if (!(q instanceof Error)) Object.assign(body, choices(s, q, seen));
          return commitSale(database, body).catch((e: unknown) => e as Error);
        }),
      );
      done.forEach((r, i) => {
        if (r instanceof Error) {
          out.failed.push(list[i]!);
          out.firstError ??= `${list[i]!.number}: ${r.message}`;
          return;
        }
        out.sales++;
        if (r.replayed) out.replayed++;
        out.pointsEarned += r.points.earn;
        out.pointsRedeemed += r.points.redeem;
        if (r.applied.length > 0 || r.ladder.accepted) out.discounted++;
      });
      bar.update(out.sales + out.failed.length, { detail: `${day}, ${out.sales.toLocaleString('en')} receipts` });
    }
  } finally {
    bar.stop();
  }
  return out;
}

/**
 * How far down the discount ladder each demo customer goes before buying, by the customer's number: half buy without
 * an extra discount, the others need the first, second or third step (see choices).
 */
const LADDER_NEEDS = [0, 0, 0, 0, 0, 1, 1, 2, 2, 3];

/** What the customer of `sale` does with its quote: points to pay with, and the ladder step (see sellAtTill). */
function choices(sale: DemoSale, q: PricedResponse, firstOfDay: Set<string>): Partial<Pick<CommitBody, 'redeemPoints' | 'ladderStep'>> {
  if (!q.customer.known || !sale.customer) return {};
  const n = Number(sale.number) || 0;
  const first = !firstOfDay.has(sale.customer);
  firstOfDay.add(sale.customer);
  const redeem = first && (q.customer.balance?.active ?? 0) >= REDEEM_FROM_POINTS && n % 10 < 4 ? q.points.redeemable : 0;
  // The ladder is offered in three sales of seven, not to a member paying with points (the quote's points allow for
  // no extra discount); the customer takes the step they need ('none' is the first).
  const steps = q.ladder.steps.map((s) => s.key);
  if (steps.length === 0 || n % 7 >= 3 || redeem > 0) return { redeemPoints: redeem };
  const need = LADDER_NEEDS[(Number(sale.customer) || 0) % LADDER_NEEDS.length]!;
  return { redeemPoints: redeem, ladderStep: steps[Math.min(need, steps.length - 1)]! };
}
