import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import * as campaigns from '../modules/campaigns/index.ts';
import * as customers from '../modules/customers/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database, Queryable } from '../platform/db/client.ts';
import { AppError, isAppError } from '../platform/errors.ts';

type GlobalOpts = { dataDir?: string; json?: boolean; progress?: boolean };

/** What cli.ts lends the campaign commands, so that they open databases and print exactly as the other commands do. */
export type CampaignCliHelpers = {
  globals(cmd: Command): GlobalOpts;
  withDatabase<T>(opts: GlobalOpts, fn: (db: Database, cfg: Config) => Promise<T>): Promise<T>;
  emit(json: boolean | undefined, obj: unknown, human: string): void;
};

/** Reads and validates a definition file before any database is opened; errors name the file and the field. */
function readDefinition(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError(
      'VALIDATION_FAILED',
      `${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}).`,
      { file, fields: [{ field: 'FILE', message: 'unreadable' }] },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `${file}: not JSON (${(e as Error).message}).`, {
      file,
      fields: [{ field: 'FILE', message: 'not JSON' }],
    });
  }
  try {
    campaigns.parseDefinition(raw);
  } catch (e) {
    if (isAppError(e)) throw new AppError(e.code, `${file}: ${e.message}`, { ...e.details, file });
    throw e;
  }
  return raw;
}

async function customerId(q: Queryable, value: string): Promise<string> {
  if (value.startsWith('cus_')) return value;
  const id = await customers.findCustomerIdByIdentity(q, 'external', value);
  if (!id)
    throw new AppError('CUSTOMERS_NOT_FOUND', `--customer: no customer ${value} (give a cus_… id or the retailer's own id).`, {
      fields: [{ field: '--customer', message: 'unknown customer' }],
    });
  return id;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const money = (x: number, c: string) => `${x.toFixed(2)} ${c}`;
const interval = (i: { estimate: number; low: number; high: number } | null, f: (x: number) => string) =>
  i ? `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]` : 'n/a (an arm has fewer than 2 customers)';

function formatReport(r: campaigns.campaignContracts.CampaignReport): string {
  const { treated: t, control: c } = r.arms;
  const m = r.money;
  const harmed = r.segments.conversion.filter((s) => s.harmed).map((s) => s.value);
  return [
    `Campaign ${r.campaign}: launched ${r.launchedAt}, attribution window to ${r.windowEnds}${r.complete ? '' : ' (still open)'}.`,
    `  treated  n=${t.n}  conversion ${pct(t.conversionRate)}  revenue/customer ${money(t.revenuePerCustomer, r.currency)}`,
    `  control  n=${c.n}  conversion ${pct(c.conversionRate)}  revenue/customer ${money(c.revenuePerCustomer, r.currency)}`,
    `  effect   conversion ${interval(r.effects.conversion, pct)} (Newcombe 95%); revenue/customer ${interval(r.effects.revenuePerCustomer, (x) => x.toFixed(2))} (Welch 95%)`,
    `  money    incremental margin ${interval(m.incrementalMargin, (x) => x.toFixed(2))} at ${m.marginPercent}%; cost ${m.costs.total.toFixed(2)} (messages ${m.costs.messages.toFixed(2)}, discounts ${m.costs.discounts.toFixed(2)}, points ${m.costs.points.toFixed(2)}); ROI ${m.roi === null ? 'n/a' : m.roi.toFixed(2)}`,
    `  segments harmed (whole interval below zero): ${harmed.length ? harmed.join(', ') : 'none'}`,
    `  deliveries ${
      Object.entries(r.deliveries)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
  ].join('\n');
}

/** `patron campaigns create|list|preview|launch|report`. */
export function registerCampaignCommands(program: Command, h: CampaignCliHelpers): void {
  const cmp = program
    .command('campaigns')
    .description('campaigns: audiences from segments, variants from one template, control groups, delivery, ROI');

  cmp
    .command('create')
    .description('create a campaign from a JSON definition (as POST /api/v1/campaigns takes it); one variant per segment × offer × channel')
    .argument('<file>', 'the definition, a JSON file (see README, Campaigns)')
    .action(async (file: string, _o, cmd: Command) => {
      const g = h.globals(cmd);
      const raw = readDefinition(file);
      await h.withDatabase(g, async (database) => {
        const c = await campaigns.createCampaign(database, raw);
        const d = c.definition as { audience: { segments: string[] }; offers: unknown[]; channels: string[] };
        h.emit(
          g.json,
          { campaign: c },
          `Campaign '${c.name}' created (${c.id}): ${c.variants} variants (${d.audience.segments.length} segments × ${d.offers.length} offers × ${d.channels.length} channels). Preview one: patron campaigns preview '${c.name}' --customer ID`,
        );
      });
    });

  cmp
    .command('list')
    .description('every campaign, newest first')
    .action(async (_o, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const list = await campaigns.listCampaigns(database);
        const lines = list.map(
          (c) =>
            `${c.name.padEnd(24)} ${c.status.padEnd(9)} ${String(c.variants).padStart(4)} variants  ${c.audience ? `treated ${c.audience.treated}, control ${c.audience.control}, launched ${c.launchedAt}` : 'not launched'}`,
        );
        h.emit(g.json, { campaigns: list }, lines.length ? lines.join('\n') : 'No campaigns yet: patron campaigns create FILE');
      });
    });

  cmp
    .command('preview')
    .description("render a variant with a real customer's data (by default the variant that customer gets)")
    .argument('<name>', 'the campaign')
    .requiredOption('--customer <id>', "a cus_… id, or the retailer's own customer id")
    .option('--variant <key>', 'a variant, <segment>.<offer>.<channel>')
    .action(async (name: string, o: { customer: string; variant?: string }, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const p = await campaigns.previewCampaign(database, name, await customerId(database, o.customer), o.variant);
        h.emit(
          g.json,
          p,
          [`${p.variant} (${p.channel}) for ${p.customerId}`, ...(p.subject !== null ? [`Subject: ${p.subject}`] : []), '', p.body].join(
            '\n',
          ),
        );
      });
    });

  cmp
    .command('launch')
    .description(
      'freeze the audience (treated and control by a stable hash) and write the outbox; `patron jobs run campaigns.deliver` sends it',
    )
    .argument('<name>', 'the campaign')
    .option('--at <datetime>', 'the launch time (ISO 8601; default now): the start of the attribution window')
    .action(async (name: string, o: { at?: string }, cmd: Command) => {
      const g = h.globals(cmd);
      if (o.at !== undefined && Number.isNaN(Date.parse(o.at)))
        throw new AppError('VALIDATION_FAILED', `--at: '${o.at}' is not an ISO 8601 date-time.`, {
          fields: [{ field: '--at', message: 'not a date-time' }],
        });
      await h.withDatabase(g, async (database) => {
        const r = await campaigns.launchCampaign(database, name, { at: o.at ? new Date(o.at).toISOString() : undefined });
        const a = r.audience;
        h.emit(
          g.json,
          r,
          `Campaign '${r.campaign}' launched at ${r.launchedAt}: ${a.candidates} in the segments (as of ${a.segmentsAsOf}), ${a.globalControl} in the global control, ${a.noConsent} without consent; ${a.treated} treated, ${a.control} control. ${r.outbox} messages in the outbox.`,
        );
      });
    });

  cmp
    .command('report')
    .description('treated against control in the attribution window: conversion and revenue with 95% intervals, per segment; cost and ROI')
    .argument('<name>', 'the campaign')
    .action(async (name: string, _o, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const r = await campaigns.campaignReport(database, name);
        h.emit(g.json, r, formatReport(r));
      });
    });
}
