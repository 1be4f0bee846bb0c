import Papa from 'papaparse';
import * as customers from '../customers/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import * as ledger from './ledger.repository.ts';
import { issueCardsInTx } from './loyalty.cards.ts';
import * as repo from './loyalty.repository.ts';
import { getProgram } from './loyalty.service.ts';

// Opening balances: the points members bring from the program Patron replaces. A CSV file with a header and the
// columns card, points, and optionally expires_at (YYYY-MM-DD; the program's expiry from today without it) and
// customer (the retailer's id, to bind a card Patron does not know yet). Each card's points are credited once, as a
// manual credit (kind `adjust`, cause `opening:CARD`) into a lot active at once, so a rerun credits nothing twice.

/** `identity`: the card number as a customer's identity (customers' normalizeIdentity: one whatever its letters' case). */
export type OpeningRow = { line: number; card: string; identity: string; points: number; expiresAt: Date | null; customer: string | null };
export type OpeningResult = { rows: number; cardsIssued: number; credited: number; alreadyCredited: number; points: number };

type Field = { field: string; message: string };

const COLUMNS = ['card', 'points', 'expires_at', 'customer'] as const;
/** Cards issued, and rows credited, per transaction. */
const BATCH = 1000;

function invalid(file: string, fields: Field[]): AppError {
  const shown = fields.slice(0, 20);
  const more = fields.length > shown.length ? `; and ${fields.length - shown.length} more` : '';
  return new AppError('VALIDATION_FAILED', `${file}: ${shown.map((f) => `${f.field}: ${f.message}`).join('; ')}${more}`, { file, fields });
}

/**
 * Reads an opening-balances file completely, and refuses it whole, naming each bad line and column, when any row is
 * bad: a card that is not a card number, points that are not a whole number ≥ 1, an expiry that is not a date after
 * `now`, a card twice. Line numbers count the header as line 1.
 */
export function parseOpeningBalances(text: string, file: string, now: Date): OpeningRow[] {
  // Each record with the line it starts on: a record's text begins where the one before it ended (Papa Parse's cursor).
  const starts = lineStarts(text);
  const records: { line: number; cells: string[] }[] = [];
  const fields: Field[] = [];
  let from = 0;
  Papa.parse<string[]>(text, {
    header: false,
    delimiter: ',',
    step: (res) => {
      const line = lineOf(starts, from);
      from = res.meta.cursor;
      for (const e of res.errors) fields.push({ field: `line ${line}`, message: e.message });
      if (res.data.length === 1 && res.data[0]!.trim() === '') return; // a blank line
      records.push({ line, cells: res.data });
    },
  });
  const header = (records.shift()?.cells ?? []).map((h) => h.trim().toLowerCase());
  for (const need of ['card', 'points'])
    if (!header.includes(need)) fields.push({ field: 'line 1', message: `no column '${need}' (columns: ${COLUMNS.join(', ')})` });
  for (const h of header)
    if (!(COLUMNS as readonly string[]).includes(h))
      fields.push({ field: 'line 1', message: `unknown column '${h}' (columns: ${COLUMNS.join(', ')})` });
  if (fields.length > 0) throw invalid(file, fields);
  const col = (cells: string[], name: string) => (cells[header.indexOf(name)] ?? '').trim();
  const seen = new Map<string, number>();
  const rows: OpeningRow[] = [];
  for (const { line, cells } of records) {
    const at = (column: string, message: string) => fields.push({ field: `line ${line}: ${column}`, message });
    if (cells.length !== header.length) at('(the row)', `${cells.length} fields where the header has ${header.length}`);
    const card = col(cells, 'card');
    const id = customers.normalizeIdentity('card', card);
    const identity = 'value' in id ? id.value : card;
    if ('error' in id) at('card', `${card || 'the card'} ${id.error}`);
    else if (seen.has(identity)) at('card', `card ${card} is on line ${seen.get(identity)} already (one opening balance per card)`);
    else seen.set(identity, line);
    const pointsText = col(cells, 'points');
    const points = Number(pointsText);
    if (!/^\d+$/.test(pointsText) || points < 1 || points > 2_000_000_000) at('points', 'a whole number of points, at least 1');
    const expiryText = header.includes('expires_at') ? col(cells, 'expires_at') : '';
    let expiresAt: Date | null = null;
    if (expiryText) {
      const d = /^\d{4}-\d{2}-\d{2}$/.test(expiryText) ? new Date(`${expiryText}T00:00:00Z`) : new Date(NaN);
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== expiryText) at('expires_at', 'a date YYYY-MM-DD');
      else if (d <= now) at('expires_at', 'after today: points past their expiry are not carried over');
      else expiresAt = d;
    }
    const customer = (header.includes('customer') ? col(cells, 'customer') : '') || null;
    if (customer && customer.length > 128) at('customer', "the retailer's customer id, at most 128 characters");
    rows.push({ line, card, identity, points, expiresAt, customer });
  }
  if (rows.length === 0 && fields.length === 0) fields.push({ field: 'line 2', message: 'no rows after the header' });
  if (fields.length > 0) throw invalid(file, fields);
  return rows;
}

/** Offsets where each line of the text begins. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/** The 1-based line holding `offset`. */
function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Credits opening balances. First everything is checked against the database, and nothing is written when a card
 * is blocked or replaced, or when a new card's number is another customer's identity. Then the cards Patron does not
 * know are issued (bound to `customer`, the retailer's id, when given), and the points are credited, each in
 * transactions of BATCH rows: a card credited before (a rerun, or an interrupted run) is left as it is.
 */
export async function creditOpeningBalances(
  database: Database,
  rows: readonly OpeningRow[],
  file: string,
  opts: { now?: Date; onProgress?: (done: number, total: number) => void } = {},
): Promise<OpeningResult> {
  const program = await getProgram(database);
  const now = opts.now ?? new Date();
  const known = await repo.tillWalletsByCards(
    database,
    rows.map((r) => r.card),
  );
  const fields: Field[] = [];
  for (const r of rows) {
    const c = known.get(r.card);
    if (c && c.status !== 'active') fields.push({ field: `line ${r.line}: card`, message: `card ${r.card} is ${c.status}` });
  }
  const unknown = rows.filter((r) => !known.has(r.card));
  fields.push(...(await identityClashes(database, unknown)));
  if (fields.length > 0) throw invalid(file, fields);

  // Progress counts the cards to issue and the rows to credit.
  const total = unknown.length + rows.length;
  let cardsIssued = 0;
  for (let i = 0; i < unknown.length; i += BATCH) {
    const batch = unknown.slice(i, i + BATCH);
    cardsIssued += await database.transaction((s) =>
      issueCardsInTx(
        s,
        batch.map((r) => ({ number: r.card, external: r.customer })),
      ),
    );
    opts.onProgress?.(cardsIssued, total);
  }
  const out: OpeningResult = { rows: rows.length, cardsIssued, credited: 0, alreadyCredited: 0, points: 0 };
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await database.transaction(async (s) => {
      const wallets = await repo.tillWalletsByCards(
        s,
        batch.map((r) => r.card),
      );
      const todo = batch.map((r) => {
        const w = wallets.get(r.card)!;
        return { r, owner: w.owner, actor: w.customerId!, cause: `opening:${r.card}` };
      });
      const credited = await s.query<{ cause: string }>(
        // Under the wallet's owner, or under the card's own customer if it has joined a household since.
        `SELECT t.cause FROM loyalty.transfers t
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS p(owner, actor, cause) ON t.customer_id IN (p.owner, p.actor) AND t.cause = p.cause`,
        [todo.map((t) => t.owner), todo.map((t) => t.actor), todo.map((t) => t.cause)],
      );
      const before = new Set(credited.map((c) => c.cause));
      const fresh = todo.filter((t) => !before.has(t.cause));
      await ledger.earnMany(
        s,
        fresh.map((t) => ({
          owner: t.owner,
          actor: t.actor,
          points: t.r.points,
          cause: t.cause,
          receiptId: null,
          partnerCode: null,
          at: now,
          pendingDays: 0,
          expiryMonths: program.config.lifecycle.expiryMonths,
          expiresAt: t.r.expiresAt,
          kind: 'adjust',
        })),
      );
      out.credited += fresh.length;
      out.alreadyCredited += todo.length - fresh.length;
      out.points += fresh.reduce((a, t) => a + t.r.points, 0);
    });
    opts.onProgress?.(cardsIssued + Math.min(i + BATCH, rows.length), total);
  }
  return out;
}

/**
 * New cards whose number another customer holds as an identity: with `customer`, a customer other than the one the
 * retailer's id names. Issued one by one, such a card would fail midway; here its line is named before anything is
 * written. Without `customer`, the holder is the card's customer, as at the till.
 */
async function identityClashes(database: Database, unknown: readonly OpeningRow[]): Promise<Field[]> {
  const bound = unknown.filter((r) => r.customer !== null);
  if (bound.length === 0) return [];
  const [holders, owners] = await Promise.all([
    customers.identityOwners(
      database,
      'card',
      bound.map((r) => r.identity),
    ),
    customers.identityOwners(
      database,
      'external',
      bound.map((r) => r.customer!),
    ),
  ]);
  const out: Field[] = [];
  for (const r of bound) {
    const holder = holders.get(r.identity);
    if (holder && holder !== owners.get(r.customer!))
      out.push({ field: `line ${r.line}: card`, message: `card ${r.card} is already an identity of another customer (${holder})` });
  }
  return out;
}
