import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { z } from 'zod';
import * as customers from '../modules/customers/index.ts';
import * as loyalty from '../modules/loyalty/index.ts';
import * as offers from '../modules/offers/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database, Queryable } from '../platform/db/client.ts';
import { checkIsoDate } from '../platform/dates.ts';
import { AppError, fieldPath, isAppError } from '../platform/errors.ts';
import { decimalToMinor, minorToDecimal } from '../platform/money.ts';
import { createProgress } from '../platform/progress.ts';
import { quote } from '../flows/till/commit.ts';
import { QuoteBody, type PricedResponse } from '../flows/till/till.contract.ts';

type GlobalOpts = { dataDir?: string; json?: boolean; progress?: boolean };

/** What cli.ts lends the loyalty commands, so that they open databases and print exactly as the other commands do. */
export type LoyaltyCliHelpers = {
  globals(cmd: Command): GlobalOpts;
  withDatabase<T>(opts: GlobalOpts, fn: (db: Database, cfg: Config) => Promise<T>): Promise<T>;
  emit(json: boolean | undefined, obj: unknown, human: string): void;
};

type Field = { field: string; message: string };

function invalidFile(file: string, fields: Field[]): AppError {
  return new AppError('VALIDATION_FAILED', `${file}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { file, fields });
}

/** A file's bytes, or VALIDATION_FAILED naming the file. */
function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError('VALIDATION_FAILED', `${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message}).`, { file, fields: [{ field: 'FILE', message: 'unreadable' }] });
  }
}

/** A text file, gunzipped when its name ends in .gz; VALIDATION_FAILED naming the file if it cannot be read. */
function readCsvFile(file: string): string {
  const raw = readBytes(file);
  if (!file.endsWith('.gz')) return raw.toString('utf8');
  try {
    return gunzipSync(raw).toString('utf8');
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `${file}: not gzip (${(e as Error).message}).`, { file, fields: [{ field: 'FILE', message: 'not gzip' }] });
  }
}

/** Reads a JSON file, or VALIDATION_FAILED naming the file (and, for bad JSON, the parser's position). */
function readJsonFile(file: string): unknown {
  const text = readBytes(file).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `${file}: not JSON (${(e as Error).message}).`, { file, fields: [{ field: 'FILE', message: 'not JSON' }] });
  }
}

/** Prefixes the message and fields of a validation error raised by a service for item `index` of a file. */
function atItem(file: string, index: number, e: unknown): unknown {
  if (!isAppError(e) || e.code !== 'VALIDATION_FAILED') return e;
  const fields = (e.details.fields ?? []).map((f) => ({ field: `[${index}].${f.field}`, message: f.message }));
  return new AppError('VALIDATION_FAILED', `${file}: [${index}].${e.message}`, { ...e.details, file, fields });
}

// ---------------------------------------------------------------------------------------------------------------
// The program

/** Validates a program file completely before anything is opened: a bad file names every bad field and stores nothing. */
function parseProgramFile(file: string): loyalty.loyaltyContracts.ProgramConfig {
  const parsed = loyalty.loyaltyContracts.ProgramConfig.safeParse(readJsonFile(file));
  if (!parsed.success) throw invalidFile(file, parsed.error.issues.map((i) => ({ field: fieldPath(i.path) || '(the file)', message: i.message })));
  return parsed.data;
}

type ProgramVersion = z.infer<typeof loyalty.loyaltyContracts.ProgramVersion>;

/** The program as text; `current`, the version in force, when another one is shown. */
function formatProgram(p: ProgramVersion, current?: number): string {
  const c = p.config;
  const pct = (n: number) => `${n}%`;
  const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
  const tiers = c.tiers.levels.map((t) => {
    const extras = [t.minPurchases > 0 ? `${t.minPurchases}+ purchases` : '', t.earnMultiplier !== 1 ? `earn ×${t.earnMultiplier}` : '', t.extraDiscountPercent > 0 ? `−${t.extraDiscountPercent}%` : '']
      .filter(Boolean)
      .join(', ');
    return `${t.key} (from ${t.minSpend} ${c.currency}${extras ? `, ${extras}` : ''})`;
  });
  return [
    `Loyalty program v${p.version} (${c.currency}), ${current !== undefined && current !== p.version ? `stored ${p.createdAt.replace('T', ' ').slice(0, 16)} UTC, replaced (v${current} is in force)` : `in force since ${p.createdAt.replace('T', ' ').slice(0, 16)} UTC`}${p.note ? `: ${p.note}` : ''}.`,
    `  earn       ${pct(c.earn.basePercent)} of what is paid in money${Object.keys(c.earn.categoryMultipliers).length ? `; category multipliers ${JSON.stringify(c.earn.categoryMultipliers)}` : ''}`,
    `  burn       1 point = ${c.burn.pointValue} ${c.currency}; points pay at most ${pct(c.burn.maxSharePercent)} of a receipt; excluded categories: ${list(c.burn.excludedCategories)}`,
    `  lifecycle  pending ${c.lifecycle.pendingDays} days, then active; each lot expires ${c.lifecycle.expiryMonths} months after it was earned`,
    `  tiers      ${tiers.length ? tiers.join('; ') : 'none'} on ${c.tiers.windowDays} days of spend; downgrade after ${c.tiers.downgradeGraceDays} days below`,
    `  stacking   ${[...c.stacking.groups].sort((a, b) => a.priority - b.priority).map((g) => `${g.key} (${g.mode}, ${g.choose}${g.excludes.length ? `, excludes ${g.excludes.join(', ')}` : ''})`).join(' → ')}`,
    `  ladder     ${c.ladder.steps.length ? c.ladder.steps.map((s) => `${s.key} ${pct(s.percent)}`).join(', ') : 'none'} (margin ${pct(c.ladder.marginPercent)})`,
    'The whole configuration: patron loyalty program show --json',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Offers

type OfferBody = offers.offerContracts.CreateOfferBody;

/** Validates every item of an offers file against the API's schema; all bad fields of all items are named at once. */
function parseOffersFile(file: string): OfferBody[] {
  const raw = readJsonFile(file);
  if (!Array.isArray(raw)) throw invalidFile(file, [{ field: '(the file)', message: 'a JSON array of offers is expected, as POST /api/v1/offers takes each' }]);
  const fields: Field[] = [];
  const out: OfferBody[] = [];
  raw.forEach((item: unknown, i) => {
    const r = offers.offerContracts.CreateOfferBody.safeParse(item);
    if (r.success) out.push(r.data);
    else fields.push(...r.error.issues.map((x) => ({ field: fieldPath([i, ...x.path]), message: x.message })));
  });
  if (fields.length > 0) throw invalidFile(file, fields);
  return out;
}

function formatOffers(list: offers.offerContracts.OfferDto[], currency: string): string {
  if (list.length === 0) return 'No offers.';
  const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '…');
  return list
    .map((o) => {
      const budget = o.budget === null ? '' : `  budget ${o.budgetSpent}/${o.budget} ${currency}`;
      const valid = o.validFrom || o.validTo ? `  ${day(o.validFrom)}–${day(o.validTo)}` : '';
      const where = [o.categories ? `categories ${o.categories.join(', ')}` : '', o.stores ? `stores ${o.stores.join(', ')}` : ''].filter(Boolean).join('; ');
      return `${o.id}  ${o.kind.padEnd(8)} ${o.group.padEnd(10)} p${String(o.priority).padEnd(5)} ${o.name}${where ? ` (${where})` : ''}${budget}${valid}${o.status === 'archived' ? '  (archived)' : ''}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The till's quote, for trying offers and the program on a basket

/** A basket file, as POST /api/v1/till/quote takes it; every bad field is named before the database is opened. */
function parseBasketFile(file: string): QuoteBody {
  const parsed = QuoteBody.safeParse(readJsonFile(file));
  if (!parsed.success) throw invalidFile(file, parsed.error.issues.map((i) => ({ field: fieldPath(i.path) || '(the file)', message: i.message })));
  return parsed.data;
}

/** The quote as a cashier would read it: the lines, the offers applied, the totals, points and the ladder. */
function formatQuote(q: PricedResponse): string {
  const c = q.customer;
  const who = c.known ? `${c.id}${c.tier ? `, tier ${c.tier}` : ''}${c.balance ? `, ${c.balance.active} points active` : ''}` : `anonymous (${c.reason})`;
  const head = ['line', 'sku', 'quantity', 'amount', 'discount', 'total', 'due', 'points'];
  const rows = q.lines.map((l) => [String(l.lineNo), l.sku, l.quantity, l.amount, l.discount, l.total, l.due, String(l.pointsEarned)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const row = (r: string[]) => r.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  const applied = q.applied.length ? q.applied.map((a) => `  ${a.name} (${a.kind}, group ${a.group}): −${a.discount}`).join('\n') : '  none';
  const others = q.applicable.filter((a) => !q.applied.some((x) => x.offerId === a.offerId));
  const ladder = q.ladder.steps
    .map((st) => `${st.key} −${st.cost}${st.pBuy === null ? '' : ` (p ${st.pBuy})`}${st.key === q.ladder.recommended ? ' ← recommended' : ''}`)
    .join(' · ');
  return [
    `Customer: ${who}. Program version ${q.programVersion}, ${q.currency}.`,
    row(head),
    ...rows.map(row),
    'Offers applied:',
    applied,
    ...(others.length ? [`Also applicable, not applied: ${others.map((a) => `${a.name} (−${a.discount} alone)`).join(', ')}`] : []),
    `Total ${q.totals.amount}, discount ${q.totals.discount}, to pay ${q.totals.total}; due ${q.totals.due} after points and certificates.`,
    `Points: ${q.points.earn} to earn, up to ${q.points.redeemable} redeemable (a point is worth ${q.points.pointValue}).`,
    `Ladder: ${ladder || 'no steps'}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Balances and cards

type WhoFlags = { card?: string; customer?: string };

/** Exactly one of --card and --customer; checked before the database is opened. */
function checkWho(o: WhoFlags): void {
  if ((o.card === undefined) === (o.customer === undefined)) {
    const both = o.card !== undefined;
    throw new AppError('VALIDATION_FAILED', `${both ? '--card and --customer: give only one of them' : '--card or --customer: give one of them'} (--card NUMBER or --customer ID).`, {
      fields: [{ field: both ? '--customer' : '--card', message: both ? 'give only one of --card and --customer' : 'missing' }],
    });
  }
}

/** The customer of `--card` (any card identity) or `--customer` (a cus_… id or the retailer's own id). */
async function customerFor(q: Queryable, o: WhoFlags): Promise<string> {
  checkWho(o);
  if (o.card !== undefined) {
    const id = await customers.findCustomerIdByIdentity(q, 'card', o.card);
    if (!id) throw new AppError('CUSTOMERS_NOT_FOUND', `--card: no customer holds card ${o.card}.`, { fields: [{ field: '--card', message: 'unknown card' }] });
    return id;
  }
  const value = o.customer!;
  if (value.startsWith('cus_')) {
    await customers.getCustomer(q, value).catch((e: unknown) => {
      throw isAppError(e) && e.code === 'CUSTOMERS_NOT_FOUND' ? new AppError('CUSTOMERS_NOT_FOUND', `--customer: no customer ${value}.`, { fields: [{ field: '--customer', message: 'unknown customer' }] }) : e;
    });
    return value;
  }
  const id = await customers.findCustomerIdByIdentity(q, 'external', value);
  if (!id) throw new AppError('CUSTOMERS_NOT_FOUND', `--customer: no customer with the id ${value}.`, { fields: [{ field: '--customer', message: 'unknown customer' }] });
  return id;
}

type BalanceOut = loyalty.loyaltyContracts.Balance & { tier: string | null; currency: string | null; activeValue: string | null };

function formatBalance(b: BalanceOut): string {
  const value = b.activeValue === null ? '' : ` (${b.activeValue} ${b.currency})`;
  const pooled = b.walletOwnerId === b.customerId ? '' : `, pooled in the household wallet of ${b.walletOwnerId}`;
  const lines = [`Customer ${b.customerId}${pooled}: ${b.active.toLocaleString('en')} active points${value}, ${b.pending.toLocaleString('en')} pending. Tier: ${b.tier ?? 'none'}.`];
  for (const e of b.expiring.slice(0, 5)) lines.push(`  ${e.points.toLocaleString('en')} expire on ${e.expiresAt.slice(0, 10)}`);
  if (b.expiring.length > 5) lines.push(`  … and ${b.expiring.length - 5} later dates (--json lists them all)`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Settlement

type SettlementOut = z.infer<typeof loyalty.loyaltyContracts.Settlement>;

function formatSettlement(s: SettlementOut): string {
  const head = `Partner settlement ${s.from} to ${s.to} (${s.currency}). Net > 0: the partner pays the program.`;
  if (s.partners.length === 0) return `${head}\nNo partners.`;
  const rows = [['partner', 'name', 'points issued', 'points burned', 'partner owes', 'program owes', 'net'], ...s.partners.map((p) => [p.code, p.name, p.pointsIssued.toLocaleString('en'), p.pointsBurned.toLocaleString('en'), p.partnerOwes, p.programOwes, p.net])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [head, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * `patron loyalty program show|set`, `patron loyalty balance`, `patron loyalty cards issue`,
 * `patron loyalty settlement`, and `patron offers list|add|edit|archive|changes`. The loyalty jobs run through `patron jobs run`.
 */
export function registerLoyaltyCommands(program: Command, h: LoyaltyCliHelpers): void {
  const loy = program.command('loyalty').description('the loyalty program: its configuration, balances, cards, partner settlement');

  const prog = loy.command('program').description('the program as data: earn, burn, lifecycle, tiers, stacking groups, the discount ladder');
  prog
    .command('show')
    .description('the program in force and its version, or an earlier version')
    .argument('[version]', 'show this version instead (a committed receipt names the version that priced it)', (v: string) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1) throw new InvalidArgumentError('a version number ≥ 1');
      return n;
    })
    .action(async (version: number | undefined, _o, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const current = await loyalty.findProgramVersion(database);
        const p = version === undefined ? current : await loyalty.getProgramVersion(database, version);
        h.emit(g.json, { program: p ?? null }, p ? formatProgram(p, current?.version) : 'No loyalty program yet: set one with `patron loyalty program set FILE` (demo/program.json is an example).');
      });
    });
  prog
    .command('history')
    .description("the program's versions, newest first: number, date, note, and the one in force")
    .action(async (_o, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const versions = await loyalty.listProgramVersions(database);
        const human = versions.length
          ? versions
              .map((v) => `v${v.version}  ${v.createdAt.replace('T', ' ').slice(0, 16)} UTC  ${v.inForce ? '(in force)  ' : ''}${v.note ?? ''}`.trimEnd())
              .join('\n')
          : 'No loyalty program yet: set one with `patron loyalty program set FILE`.';
        h.emit(g.json, { versions }, human);
      });
    });
  prog
    .command('set')
    .description('validate a program file (JSON, as PUT /api/v1/loyalty/program takes in `config`) and put it in force as a new version')
    .argument('<file>', 'the program, a JSON file (see demo/program.json)')
    .option('--note <text>', 'why the program changed (kept with the version)')
    .action(async (file: string, o: { note?: string }, cmd: Command) => {
      const g = h.globals(cmd);
      const config = parseProgramFile(file);
      await h.withDatabase(g, async (database) => {
        const v = await loyalty.putProgram(database, config, o.note ?? null).catch((e: unknown) => {
          throw isAppError(e) && e.code === 'VALIDATION_FAILED' ? new AppError('VALIDATION_FAILED', `${file}: ${e.message}`, { ...e.details, file }) : e;
        });
        h.emit(g.json, { program: v }, `Program v${v.version} (${v.config.currency}) is in force${v.note ? `: ${v.note}` : ''}. Quotes price with it within seconds.`);
      });
    });

  loy
    .command('import-balances')
    .description('credit the points members bring from the program Patron replaces, once per card (a rerun credits nothing twice)')
    .argument('<file>', 'CSV (plain or .gz) with a header: card, points, and optionally expires_at (YYYY-MM-DD) and customer (the retailer\'s id, for a card Patron does not know yet)')
    .action(async (file: string, _o, cmd: Command) => {
      const g = h.globals(cmd);
      const rows = loyalty.parseOpeningBalances(readCsvFile(file), file, new Date());
      await h.withDatabase(g, async (database) => {
        let bar: ReturnType<typeof createProgress> | undefined;
        let r: loyalty.OpeningResult;
        try {
          r = await loyalty.creditOpeningBalances(database, rows, file, {
            onProgress: (done, total) => {
              bar ??= createProgress('Crediting opening balances', total, { enabled: g.progress !== false, unit: 'rows' });
              bar.update(done);
            },
          });
        } finally {
          bar?.stop();
        }
        h.emit(
          g.json,
          r,
          `${r.rows.toLocaleString('en')} cards: ${r.credited.toLocaleString('en')} credited with ${r.points.toLocaleString('en')} points, ${r.alreadyCredited.toLocaleString('en')} credited before; ${r.cardsIssued.toLocaleString('en')} cards issued.`,
        );
      });
    });
  loy
    .command('balance')
    .description("a customer's points: active (and their value), pending, what expires when, and the tier")
    .option('--card <number>', 'the customer holding this card')
    .option('--customer <id>', "a cus_… id, or the retailer's own customer id")
    .action(async (o: WhoFlags, cmd: Command) => {
      const g = h.globals(cmd);
      checkWho(o);
      await h.withDatabase(g, async (database) => {
        const customerId = await customerFor(database, o);
        const [balance, tier, prog] = await Promise.all([loyalty.getBalance(database, customerId), loyalty.findTier(database, customerId), loyalty.findProgramVersion(database)]);
        const currency = prog?.config.currency ?? null;
        const pointValue = prog ? decimalToMinor(prog.config.burn.pointValue, prog.config.currency) : undefined;
        const out: BalanceOut = {
          ...balance,
          tier: tier?.tier ?? null,
          currency,
          activeValue: currency && pointValue !== undefined ? minorToDecimal(balance.active * pointValue, currency) : null,
        };
        h.emit(g.json, out, formatBalance(out));
      });
    });

  const cards = loy.command('cards').description('loyalty cards');
  cards
    .command('issue')
    .description("issue a card: bound to the customer with --customer (registered if unknown), or to a new customer known by the card")
    .argument('<number>', 'the card number')
    .option('--customer <id>', "the retailer's own customer id to bind the card to")
    .action(async (number: string, o: { customer?: string }, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const card = await loyalty.issueCard(database, number, o.customer === undefined ? undefined : { kind: 'external', value: o.customer });
        h.emit(g.json, card, `Issued card ${card.number} to customer ${card.customerId}.`);
      });
    });

  loy
    .command('settlement')
    .description('coalition partners: points issued and burned at each, and who owes whom, over whole UTC days')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last day (YYYY-MM-DD), included')
    .action(async (o: { from: string; to: string }, cmd: Command) => {
      const g = h.globals(cmd);
      checkIsoDate(o.from, '--from');
      checkIsoDate(o.to, '--to');
      if (o.to < o.from) throw new AppError('VALIDATION_FAILED', `--to: ${o.to} is before --from ${o.from}.`, { fields: [{ field: '--to', message: 'before --from' }] });
      await h.withDatabase(g, async (database) => {
        const s = await loyalty.settlement(database, o.from, o.to);
        h.emit(g.json, s, formatSettlement(s));
      });
    });

  program
    .command('till')
    .description('the till, from the command line: try a basket on the program and the offers')
    .command('quote')
    .description('price a basket as the till would, reading only: offers applied, line totals, points and the discount ladder')
    .argument('<file>', 'the basket, a JSON object as POST /api/v1/till/quote takes it')
    .action(async (file: string, _o, cmd: Command) => {
      const g = h.globals(cmd);
      const body = parseBasketFile(file);
      await h.withDatabase(g, async (database) => {
        const q = await quote(database, body).catch((e: unknown) =>
          Promise.reject(isAppError(e) && e.details.fields ? invalidFile(file, e.details.fields as Field[]) : e),
        );
        h.emit(g.json, q, formatQuote(q));
      });
    });

  const off = program.command('offers').description('offers the till applies: volume, brand, bundle, birthday, tier, personal');
  off
    .command('list')
    .description('the offers, by priority, with their budgets spent')
    .option('--archived', 'list archived offers too')
    .action(async (o: { archived?: boolean }, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database, cfg) => {
        // Offers are created in the program's currency; before any program there are none to list.
        const currency = (await loyalty.findProgramVersion(database))?.config.currency ?? cfg.defaultCurrency;
        const list = await offers.listOffers(database, currency, o.archived ?? false);
        h.emit(g.json, { offers: list }, formatOffers(list, currency));
      });
    });
  off
    .command('add')
    .description('add offers from a JSON array of offer bodies (as POST /api/v1/offers takes them): all of them, or none')
    .argument('<file>', 'the offers, a JSON array')
    .action(async (file: string, _o, cmd: Command) => {
      const g = h.globals(cmd);
      const bodies = parseOffersFile(file);
      await h.withDatabase(g, async (database) => {
        const p = await loyalty.getProgram(database);
        const groups = p.config.stacking.groups.map((x) => x.key);
        const unknown = bodies.flatMap((b, i) => (groups.includes(b.group) ? [] : [{ field: `[${i}].group`, message: `no stacking group '${b.group}' in the program (${groups.join(', ')})` }]));
        if (unknown.length > 0) throw invalidFile(file, unknown);
        // One transaction: if the service refuses any item, nothing of the file is stored.
        const added = await database.transaction(async (s) => {
          const out: offers.offerContracts.OfferDto[] = [];
          for (const [i, b] of bodies.entries()) out.push(await offers.createOffer(s, b, p.config.currency, groups).catch((e: unknown) => Promise.reject(atItem(file, i, e))));
          return out;
        });
        h.emit(g.json, { offers: added }, added.length ? `Added ${added.length} offer${added.length === 1 ? '' : 's'} from ${basename(file)}:\n${formatOffers(added, p.config.currency)}` : `No offers in ${file}.`);
      });
    });
  off
    .command('edit')
    .description('change an offer: the fields of a JSON object (as PATCH /api/v1/offers/ID takes it) change, the others stay')
    .argument('<id>', 'the offer, as `patron offers list` shows it')
    .argument('<file>', 'the fields to change, a JSON object')
    .action(async (id: string, file: string, _o, cmd: Command) => {
      const g = h.globals(cmd);
      const r = offers.offerContracts.UpdateOfferBody.safeParse(readJsonFile(file));
      if (!r.success) throw invalidFile(file, r.error.issues.map((x) => ({ field: fieldPath(x.path) || '(the file)', message: x.message })));
      await h.withDatabase(g, async (database) => {
        const p = await loyalty.getProgram(database);
        const groups = p.config.stacking.groups.map((x) => x.key);
        const edited = await offers.updateOffer(database, id, r.data, p.config.currency, groups);
        h.emit(g.json, { offer: edited }, `Changed ${id}:\n${formatOffers([edited], p.config.currency)}`);
      });
    });
  off
    .command('archive')
    .description('archive an offer: the till stops applying it; its history stays')
    .argument('<id>', 'the offer, as `patron offers list` shows it')
    .action(async (id: string, _o, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const currency = (await loyalty.getProgram(database)).config.currency;
        const archived = await offers.archiveOffer(database, id, currency);
        h.emit(g.json, { offer: archived }, `Archived ${id}:\n${formatOffers([archived], currency)}`);
      });
    });
  off
    .command('changes')
    .description("an offer's making, edits and archiving, newest first: when, who, and each field before and after")
    .argument('<id>', 'the offer, as `patron offers list` shows it')
    .action(async (id: string, _o, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const changes = await offers.listOfferChanges(database, id);
        const value = (v: unknown) => (v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
        const text = changes.length
          ? changes
              .map(
                (c) =>
                  `${c.at}  ${c.actorName ?? 'the command line'}: ${Object.entries(c.change)
                    .map(([field, { from, to }]) => `${field} ${value(from)} → ${value(to)}`)
                    .join('; ')}`,
              )
              .join('\n')
          : `No changes to ${id} since it was made.`;
        h.emit(g.json, { changes }, text);
      });
    });
}
