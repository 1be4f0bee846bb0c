import * as campaigns from '../../modules/campaigns/index.ts';
import * as customers from '../../modules/customers/index.ts';
import * as experiments from '../../modules/experiments/index.ts';
import * as loyalty from '../../modules/loyalty/index.ts';
import * as sales from '../../modules/sales/index.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { checkIsoDate } from '../../platform/dates.ts';
import { AppError } from '../../platform/errors.ts';
import { currencyExponent, minorToDecimal } from '../../platform/money.ts';
import type { ProgramPnl } from './program-pnl.contract.ts';

const PAGE = 10_000;

export const REVENUE_NOTE =
  'Campaigns against doing nothing: revenue per customer of the customers campaigns may reach, against the global control group, which no campaign reaches.';
export const COSTS_NOTE =
  'Operating costs: each campaign launched in the period (messages sent, discounts and offer points of its converting treated customers, as its report books them), plus the points the program issued in the period at the point value.';
export const NET_NOTE = "An estimate: the incremental revenue × the program's margin, less the period's costs.";

/** The program P&L for the whole UTC days [from, to); VALIDATION_FAILED naming the field for a bad date or from ≥ to. */
export async function programPnlForDates(q: Queryable, from: string, to: string, names = { from: 'from', to: 'to' }): Promise<ProgramPnl> {
  checkIsoDate(from, names.from);
  checkIsoDate(to, names.to);
  if (from >= to)
    throw new AppError('VALIDATION_FAILED', `${names.to}: ${to} must be after ${names.from} ${from} (the period is [from, to)).`, {
      fields: [{ field: names.to, message: `must be after ${names.from}` }],
    });
  return programPnl(q, new Date(`${from}T00:00:00Z`), new Date(`${to}T00:00:00Z`));
}

type Acc = { summary: experiments.MeanSummary; minor: number };

/**
 * The program's P&L over [from, to), in the program's currency: revenue of reachable customers against the global
 * control group with Welch's interval, the points liability from the ledger, campaigns' and points' costs, and the net
 * estimate. Every customer not merged away counts, zero revenue included; the whole population is read in pages.
 */
export async function programPnl(q: Queryable, from: Date, to: Date): Promise<ProgramPnl> {
  const program = await loyalty.getProgram(q);
  const currency = program.config.currency;
  const scale = 10 ** currencyExponent(currency);
  const money = (minor: number) => ({ minor, amount: minorToDecimal(minor, currency) });

  // 1. Revenue: every customer in one of the two groups, by the campaigns module's rule for the epoch in force.
  const global = await campaigns.globalControlAt(q, to);
  const spend = new Map((await sales.spendByCustomer(q, from, to, currency)).map((s) => [s.customerId, s.spendMinor]));
  const reach: Acc = { summary: experiments.summarize([]), minor: 0 };
  const ctrl: Acc = { summary: experiments.summarize([]), minor: 0 };
  for (let after = ''; ;) {
    const ids = await customers.customerIdsAfter(q, after, PAGE);
    if (ids.length === 0) break;
    const r: number[] = [];
    const c: number[] = [];
    for (const id of ids) {
      const minor = spend.get(id) ?? 0;
      const inControl = !!global && campaigns.inGlobalControl(global.epoch, id, global.share);
      (inControl ? c : r).push(minor / scale);
      if (inControl) ctrl.minor += minor;
      else reach.minor += minor;
    }
    reach.summary = experiments.mergeSummaries(reach.summary, experiments.summarize(r));
    ctrl.summary = experiments.mergeSummaries(ctrl.summary, experiments.summarize(c));
    after = ids.at(-1)!;
  }
  const group = (a: Acc) => ({ customers: a.summary.n, revenue: money(a.minor), perCustomer: a.summary.n > 0 ? a.summary.mean : null });
  const enough = reach.summary.n >= 2 && ctrl.summary.n >= 2;
  const diff = enough ? experiments.welchDifference(reach.summary, ctrl.summary) : null;
  const differencePerCustomer = diff ? { estimate: diff.estimate, low: diff.low, high: diff.high } : null;
  const n = reach.summary.n;
  const incremental = diff ? { estimate: diff.estimate * n, low: diff.low * n, high: diff.high * n } : null;

  // 2. Points liability.
  const flow = await loyalty.liability(q, from, to);
  const issued = flow.issued.points;

  // 3. Costs: campaigns launched in the period, each by its own report; points issued at value.
  const launched = (await campaigns.listCampaigns(q)).filter(
    (c) => c.launchedAt && new Date(c.launchedAt) >= from && new Date(c.launchedAt) < to,
  );
  const rows: ProgramPnl['costs']['campaigns'] = [];
  const otherCurrency: string[] = [];
  const toMinor = (major: number) => Math.round(major * scale);
  for (const c of launched.sort((a, b) => a.launchedAt!.localeCompare(b.launchedAt!))) {
    const report = await campaigns.campaignReport(q, c.id);
    if (report.currency !== currency) {
      otherCurrency.push(c.name);
      continue;
    }
    const k = report.money.costs;
    const [messages, discounts, pts] = [toMinor(k.messages), toMinor(k.discounts), toMinor(k.points)];
    rows.push({
      name: c.name,
      launchedAt: c.launchedAt!,
      messages: money(messages),
      discounts: money(discounts),
      points: money(pts),
      total: money(messages + discounts + pts),
    });
  }
  const campaignsTotal = rows.reduce((a, r) => a + r.total.minor, 0);
  const pointsCost = issued * program.pointValueMinor;
  const totalCost = campaignsTotal + pointsCost;

  // 4. Net.
  const marginPercent = program.config.ladder.marginPercent;
  const m = marginPercent / 100;
  const incrementalMargin = incremental
    ? { estimate: incremental.estimate * m, low: incremental.low * m, high: incremental.high * m }
    : null;
  const costs = totalCost / scale;
  const net = incrementalMargin
    ? { estimate: incrementalMargin.estimate - costs, low: incrementalMargin.low - costs, high: incrementalMargin.high - costs }
    : null;

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    currency,
    pointValue: program.config.burn.pointValue,
    revenue: {
      note: global ? REVENUE_NOTE : `${REVENUE_NOTE} No global control group has been drawn yet, so there is nothing to compare against.`,
      globalControl: global ?? null,
      reachable: group(reach),
      control: group(ctrl),
      differencePerCustomer,
      incremental,
    },
    points: {
      issued: flow.issued,
      spent: flow.spent,
      expired: flow.expired,
      adjustments: flow.adjustments,
      other: flow.other,
      outstandingStart: flow.outstandingStart,
      outstandingEnd: flow.outstandingEnd,
      breakage: flow.breakage,
    },
    costs: {
      note: COSTS_NOTE,
      campaigns: rows,
      otherCurrencyCampaigns: otherCurrency,
      campaignsTotal: money(campaignsTotal),
      pointsIssued: money(pointsCost),
      total: money(totalCost),
    },
    net: {
      note: NET_NOTE,
      marginPercent,
      marginSource: "the loyalty program's margin (ladder.marginPercent)",
      incrementalMargin,
      costs,
      net,
    },
  };
}
