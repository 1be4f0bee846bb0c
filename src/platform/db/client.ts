import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

/** The Drizzle handle. PGlite and node-postgres give the same query-builder API. */
export type Db = PgDatabase<PgQueryResultHKT>;

export type Row = Record<string, unknown>;

/** What a repository function needs: Drizzle, and parameterized raw SQL. Both a Database and a Session have it. */
export interface Queryable {
  readonly db: Db;
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
}

/** One connection inside one transaction: Drizzle and raw SQL on that connection, and COPY for bulk loads. */
export interface Session extends Queryable {
  /** COPY rows given as CSV text (no header) into `table (columns)`. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
  /**
   * Pipelined transactions: sends COMMIT right behind the statements sent so far, before any of their answers is
   * read, so that the whole transaction costs one round trip and its row locks are held only while the server runs
   * it. No statement may be sent after it. Every condition must then be enforced by the statements themselves (a
   * constraint, or platform.ensure): when one fails, PostgreSQL answers the COMMIT with a rollback, and `transaction`
   * throws that statement's error. Once this is called, `fn` must not throw for any other reason: what it sent may
   * be committed already. On PGlite, and in a transaction that is not pipelined, the transaction commits when `fn`
   * returns, as usual; later statements are refused all the same.
   */
  commitAhead(): void;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * The PostgreSQL URL this database was opened with, for libraries that open connections of their own (pg-boss).
   * Unset on PGlite, which is one in-process connection that nothing else can reach.
   */
  readonly connectionString?: string;
  /**
   * Runs `fn` with one connection on which the statements it sends without awaiting each other go out together, each
   * in a transaction of its own (reads that need no common snapshot): on PostgreSQL one round trip and one server
   * process, where the pool would wake one process per statement. On PGlite, the database itself.
   */
  batch<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction on one connection; rolls back if it throws, or if any statement it sent failed.
   * With `pipeline`, statements that `fn` sends without awaiting each other go out together, in the order sent, and
   * the server runs them in that order without waiting for the client between them (node-postgres's pipeline mode on
   * connections of their own; COPY is refused there). A transaction of N independent statements then costs two round
   * trips instead of N + 2. PGlite, in-process, runs them one by one as sent.
   */
  transaction<T>(fn: (s: Session) => Promise<T>, opts?: { pipeline?: boolean }): Promise<T>;
  close(): Promise<void>;
}

function copySql(table: string, columns: readonly string[]): string {
  return `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
}

/** node-postgres returns bigint and numeric as strings; int8 fits a JS number for our amounts, so parse it. */
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Statements with parameters are sent as named prepared statements (the name is a digest of the text), so that
 * each connection parses and plans a statement once, not on every request: on the till's hot path, planning cost
 * three times the execution (bench/RESULTS.md, till). Texts are our own constants (a bulk INSERT has one text per
 * batch size), so the statements per connection stay few. Statements without parameters go as they are, and very long
 * ones (a bulk INSERT of many rows) unnamed, with their parameters.
 */
const statementNames = new Map<string, string>();
function prepared(text: string, params: readonly unknown[] | undefined): string | pg.QueryConfig {
  if (!params || params.length === 0) return text;
  if (text.length > 20_000) return { text, values: params as unknown[] };
  let name = statementNames.get(text);
  if (!name) {
    name = `p_${createHash('sha1').update(text).digest('base64url')}`;
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return { name, text, values: params as unknown[] };
}

/**
 * The statements a transaction sent, kept so that none is left unanswered (or its error unhandled) when it ends, and so
 * that one that failed stops the COMMIT even if the caller never looked at it. `check` throws the first failure,
 * preferring the cause to the "transaction is aborted" (25P02) of the statements after it.
 */
function sentStatements() {
  const sent: Promise<unknown>[] = [];
  let ended = false;
  return {
    /** Keeps a statement about to be sent (`send` sends it); refused once the transaction is ending. */
    keep<R>(send: () => Promise<R>): Promise<R> {
      // A caller's chain may send its next statement after another of its statements failed and the transaction
      // began to end: it must never reach the connection, where it would run after the ROLLBACK, on its own.
      if (ended) return Promise.reject(new Error('a statement was sent after its transaction ended'));
      const p = send();
      sent.push(p);
      p.catch(() => undefined);
      return p;
    },
    /** Refuses statements from now on (after a COMMIT sent ahead). */
    close(): void {
      ended = true;
    },
    /** Waits until every statement sent is answered, including those sent meanwhile by chains still running; then refuses more. */
    async settled(): Promise<void> {
      // Once refused (after a COMMIT sent ahead), nothing more can come: no turn of the event loop to wait for.
      if (ended) {
        await Promise.allSettled(sent);
        return;
      }
      let n: number;
      do {
        n = sent.length;
        await Promise.allSettled(sent);
        await new Promise((resolve) => setImmediate(resolve));
      } while (sent.length > n);
      ended = true;
    },
    async check(): Promise<void> {
      await this.settled();
      const failed = (await Promise.allSettled(sent)).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      const first = failed.find((e) => (e as { code?: string }).code !== '25P02') ?? failed[0];
      if (failed.length > 0) throw first;
    },
  };
}

/**
 * The client a session's query builder (Drizzle) runs on: its statements go through `via`, like the session's own
 * (kept until answered, corked with the others, refused after the end or after a COMMIT sent ahead). A Drizzle query
 * is sent when it is awaited, so one awaited only after commitAhead is refused, not run outside the transaction.
 */
function keptBy<C extends object>(client: C, via: <R>(run: () => Promise<R>) => Promise<R>): C {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'query') return (...args: unknown[]) => via(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

export function openPostgres(url: string, opts: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // An idle connection the server ends (a restart, a dropped database) is discarded by the pool; without a listener,
  // its 'error' event would crash the process. Errors of queries in progress still reach their callers.
  pool.on('error', () => undefined);
  // Pipelined transactions get connections of their own, made on first use: COPY and cursors cannot share them.
  let pipePool: pg.Pool | undefined;
  const pipelined = (): pg.Pool => {
    if (!pipePool) {
      pipePool = new pg.Pool({
        connectionString: url,
        max: Math.max(2, Math.ceil((opts.max ?? 10) / 2)),
        pipeline: true,
        // Their statements (the till's) take arrays whose length varies with the group: PostgreSQL planned each
        // execution anew (custom plans), 0.4 ms for the receipts and for a redemption, which lengthened every group's
        // transaction (bench/RESULTS.md). A connection keeps the plan it made first, and a plan made while a table
        // was small scanned it whole once it was large (till_receipts, balances, lots: each commit cost more the
        // longer the server ran, where nothing refreshed the statistics). Every statement here finds its rows by
        // key, so scans and hash or merge joins are ruled out; src/flows/till/plans.test.ts checks each plan.
        options: '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off -c enable_hashjoin=off -c enable_mergejoin=off',
      } as pg.PoolConfig);
      pipePool.on('error', () => undefined);
    }
    return pipePool;
  };
  /**
   * Sends a statement on a pipelined connection: the statements sent in one turn of the event loop leave in one write
   * (the socket is corked until the next tick). node-postgres writes each statement on its own otherwise, and on
   * loopback TCP each write costs the sender the receiver's network stack: 15% of the till's server CPU was writev.
   */
  const corked = new WeakSet<pg.PoolClient>();
  const sendOn = <R>(client: pg.PoolClient, run: () => Promise<R>): Promise<R> => {
    const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
    if (stream?.cork && stream.uncork && !corked.has(client)) {
      corked.add(client);
      stream.cork();
      process.nextTick(() => {
        corked.delete(client);
        stream.uncork!();
      });
    }
    return run();
  };
  const db = drizzlePg(pool) as unknown as Db;
  return {
    kind: 'postgres',
    connectionString: url,
    db,
    async query(text, params) {
      const q = prepared(text, params);
      const r = typeof q === 'string' ? await pool.query(q) : await pool.query(q);
      return r.rows;
    },
    async batch(fn) {
      const client = await pipelined().connect();
      const sent = sentStatements();
      try {
        let orm: Db | undefined;
        return await fn({
          get db() {
            return (orm ??= drizzlePg(keptBy(client, (run) => sent.keep(() => sendOn(client, run)))) as unknown as Db);
          },
          query(text, params) {
            const q = prepared(text, params);
            return sent.keep(() => sendOn(client, () => (typeof q === 'string' ? client.query(q) : client.query(q)).then((r) => r.rows)));
          },
        });
      } finally {
        // The answer goes back at once; the connection goes back to the pool when every statement sent is answered
        // (settled waits a turn of the event loop for late senders, which the caller should not wait for).
        void sent.settled().then(() => client.release());
      }
    },
    async transaction(fn, topts) {
      const piped = topts?.pipeline === true;
      const client = await (piped ? pipelined() : pool).connect();
      const sent = sentStatements();
      let committing: Promise<pg.QueryResult> | undefined;
      try {
        if (piped) void sent.keep(() => sendOn(client, () => client.query('BEGIN')));
        else await client.query('BEGIN');
        let orm: Db | undefined;
        const session: Session = {
          // Made on first use: most transactions (the till's) run raw SQL only.
          get db() {
            return (orm ??= drizzlePg(keptBy(client, (run) => sent.keep(piped ? () => sendOn(client, run) : run))) as unknown as Db);
          },
          query(text, params) {
            const q = prepared(text, params);
            const run = () => (typeof q === 'string' ? client.query(q) : client.query(q)).then((r) => r.rows);
            return sent.keep(piped ? () => sendOn(client, run) : run);
          },
          async copyCsv(table, columns, csv) {
            if (piped) throw new Error('COPY cannot run in a pipelined transaction');
            await pipeline(Readable.from([csv]), client.query(copyFrom(copySql(table, columns))));
          },
          commitAhead() {
            if (piped && !committing) committing = sent.keep(() => sendOn(client, () => client.query('COMMIT')));
            sent.close();
          },
        };
        const out = await fn(session);
        await sent.check();
        if (committing) {
          // PostgreSQL answers the COMMIT of a failed transaction with ROLLBACK; check has thrown that failure then.
          const tag = (await committing).command;
          if (tag !== 'COMMIT') throw new Error(`the transaction ended with ${tag}, not COMMIT`);
        } else await client.query('COMMIT');
        return out;
      } catch (e) {
        await sent.settled();
        // A COMMIT sent ahead that was answered has ended the transaction (PostgreSQL rolled it back if a statement
        // failed): a ROLLBACK now would only cost a round trip and a warning in the server's log.
        const ended = committing ? await committing.then(() => true, () => false) : false;
        if (!ended) await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await Promise.all([pool.end(), pipePool?.end()]);
    },
  };
}

export function wrapPglite(pglite: PGlite): Database {
  const db = drizzlePglite(pglite) as unknown as Db;
  const self: Database = {
    kind: 'pglite',
    db,
    batch(fn) {
      return fn(self);
    },
    async query(text, params) {
      return (await pglite.query(text, params as unknown[])).rows as never;
    },
    async transaction(fn) {
      return pglite.transaction(async (tx) => {
        // Statements sent without awaiting run one by one as sent; every one is answered before the COMMIT.
        const sent = sentStatements();
        try {
          const out = await fn({
            // Drizzle's PGlite driver only calls query() on its client, which a PGlite transaction provides.
            db: drizzlePglite(keptBy(tx, (run) => sent.keep(run)) as unknown as PGlite) as unknown as Db,
            query(text, params) {
              return sent.keep(() => tx.query(text, params as unknown[]).then((r) => r.rows as never));
            },
            async copyCsv(table, columns, csv) {
              await sent.keep(() =>
                tx.query(`${copySql(table, columns).replace('FROM STDIN', "FROM '/dev/blob'")}`, [], {
                  blob: new Blob([csv]),
                }),
              );
            },
            // Statements run one by one as sent; the transaction commits when fn returns. Later statements are
            // refused, as on PostgreSQL.
            commitAhead() {
              sent.close();
            },
          });
          await sent.check();
          return out;
        } catch (e) {
          await sent.settled();
          throw e;
        }
      });
    },
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
  return self;
}

/** PGlite parses int8 as bigint by default; amounts fit a JS number, so read them as numbers like node-postgres. */
export const PGLITE_PARSERS = { 20: (v: string) => Number(v) };

export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir ? { dataDir, parsers: PGLITE_PARSERS } : { parsers: PGLITE_PARSERS, ...(loadDataDir ? { loadDataDir } : {}) });
  return wrapPglite(pglite);
}

/** Opens the configured database: PostgreSQL when a URL is given, else embedded PGlite in `dataDir`. */
export async function openDatabase(opts: { databaseUrl?: string | undefined; dataDir: string }): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir);
}
