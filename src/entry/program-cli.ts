import type { Command } from 'commander';
import { programPnlForDates } from '../flows/program-pnl/program-pnl.ts';
import type { ProgramPnl } from '../flows/program-pnl/program-pnl.contract.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db/client.ts';
import { checkIsoDate } from '../platform/dates.ts';
import { AppError } from '../platform/errors.ts';

type GlobalOpts = { dataDir?: string; json?: boolean; progress?: boolean };

/** What cli.ts lends the program commands, so that they open databases and print exactly as the other commands do. */
export type ProgramCliHelpers = {
  globals(cmd: Command): GlobalOpts;
  withDatabase<T>(opts: GlobalOpts, fn: (db: Database, cfg: Config) => Promise<T>): Promise<T>;
  emit(json: boolean | undefined, obj: unknown, human: string): void;
};

const num = (x: number) => x.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const interval = (e: { estimate: number; low: number; high: number } | null) =>
  e ? `${num(e.estimate)}  (95% CI ${num(e.low)} to ${num(e.high)})` : 'n/a (fewer than 2 customers in a group)';

/** The P&L as a table of lines: label, figure, and what it means. */
export function formatPnl(p: ProgramPnl): string {
  const c = p.currency;
  const day = (iso: string) => iso.slice(0, 10);
  const pts = (x: { points: number; value: string }) => `${x.points.toLocaleString('en')} pts = ${x.value} ${c}`;
  const g = p.revenue.globalControl;
  const rows: [string, string][] = [
    ['Revenue', ''],
    [
      '  global control',
      g ? `epoch ${g.epoch}, ${(g.share * 100).toFixed(1)}% of customers, drawn ${g.drawnAt.slice(0, 10)}` : 'none drawn yet',
    ],
    [
      '  reachable customers',
      `${p.revenue.reachable.customers.toLocaleString('en')}: ${p.revenue.reachable.revenue.amount} ${c}, ${p.revenue.reachable.perCustomer === null ? '–' : num(p.revenue.reachable.perCustomer)} per customer`,
    ],
    [
      '  global control',
      `${p.revenue.control.customers.toLocaleString('en')}: ${p.revenue.control.revenue.amount} ${c}, ${p.revenue.control.perCustomer === null ? '–' : num(p.revenue.control.perCustomer)} per customer`,
    ],
    ['  difference per customer', interval(p.revenue.differencePerCustomer)],
    ['  incremental revenue', interval(p.revenue.incremental)],
    ['Points liability', ''],
    ['  outstanding at start', pts(p.points.outstandingStart)],
    ['  + issued', pts(p.points.issued)],
    ['  − spent', pts(p.points.spent)],
    ['  − expired', pts(p.points.expired)],
    ['  + adjustments', pts(p.points.adjustments)],
    ...(p.points.other.points !== 0 ? [['  + other', pts(p.points.other)] as [string, string]] : []),
    ['  outstanding at end', pts(p.points.outstandingEnd)],
    [
      '  breakage rate',
      p.points.breakage.rate === null
        ? 'n/a (no lot has expired yet)'
        : `${(p.points.breakage.rate * 100).toFixed(1)}% (${p.points.breakage.basis.expired.toLocaleString('en')} expired of ${(p.points.breakage.basis.expired + p.points.breakage.basis.spent).toLocaleString('en')} expired or spent, ${p.points.breakage.basis.lots.toLocaleString('en')} lots past expiry)`,
    ],
    ['  expected breakage', p.points.breakage.expected ? pts(p.points.breakage.expected) : 'n/a'],
    ['Operating costs', ''],
    ...p.costs.campaigns.map(
      (k) =>
        [
          `  campaign ${k.name}`,
          `${k.total.amount} ${c} (messages ${k.messages.amount}, discounts ${k.discounts.amount}, points ${k.points.amount})`,
        ] as [string, string],
    ),
    ['  points issued at value', `${p.costs.pointsIssued.amount} ${c}`],
    ['  total', `${p.costs.total.amount} ${c}`],
    ['Net (estimate)', ''],
    [`  incremental margin at ${p.net.marginPercent}%`, interval(p.net.incrementalMargin)],
    ['  − costs', num(p.net.costs)],
    ['  = net', interval(p.net.net)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return [
    `Program P&L ${day(p.from)} to ${day(p.to)} (to excluded), ${c}; 1 point = ${p.pointValue} ${c}.`,
    ...rows.map(([a, b]) => (b ? `${a.padEnd(w)}  ${b}` : a)),
    '',
    p.revenue.note,
    p.points.breakage.note,
    p.costs.note,
    ...(p.costs.otherCurrencyCampaigns.length ? [`Not added (another currency): ${p.costs.otherCurrencyCampaigns.join(', ')}.`] : []),
    `${p.net.note} Margin: ${p.net.marginSource}.`,
  ].join('\n');
}

/** `patron program pnl --from D --to D [--json]`. */
export function registerProgramCommands(program: Command, h: ProgramCliHelpers): void {
  const prog = program.command('program').description('the program as a business: its P&L per period');
  prog
    .command('pnl')
    .description(
      'revenue against the global control group, points liability, operating costs and the net estimate, over whole UTC days [from, to)',
    )
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'first day not included (YYYY-MM-DD)')
    .action(async (o: { from: string; to: string }, cmd: Command) => {
      const g = h.globals(cmd);
      // Refused before any database is opened.
      checkIsoDate(o.from, '--from');
      checkIsoDate(o.to, '--to');
      if (o.from >= o.to)
        throw new AppError('VALIDATION_FAILED', `--to: ${o.to} must be after --from ${o.from} (the period is [from, to)).`, {
          fields: [{ field: '--to', message: 'must be after --from' }],
        });
      await h.withDatabase(g, async (database) => {
        const p = await programPnlForDates(database, o.from, o.to, { from: '--from', to: '--to' });
        h.emit(g.json, p, formatPnl(p));
      });
    });
}
