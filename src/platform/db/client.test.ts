import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../../test/db.ts';
import type { Database } from './client.ts';

// Pipelined transactions (Database.transaction with { pipeline: true }): statements sent without awaiting each other
// run in the order sent, a failed one rolls back the whole transaction even when the caller never looked at it, and
// none is left unanswered. On PGlite the same calls run one by one; the outcome must be the same.
describe(`pipelined transactions (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.query(`CREATE TABLE public.pipe_t (k int PRIMARY KEY, v int NOT NULL)`);
  });
  afterAll(async () => {
    await database?.close();
  });

  const rows = async () => database.query<{ k: number; v: number }>(`SELECT k, v FROM public.pipe_t ORDER BY k`);

  it('runs statements sent together in the order sent, each seeing the ones before it, and commits', async () => {
    const out = await database.transaction(
      async (s) => {
        const a = s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [1, 10]);
        const b = s.query(`UPDATE public.pipe_t SET v = v * $1 WHERE k = 1`, [3]);
        const c = s.query<{ v: number }>(`SELECT v FROM public.pipe_t WHERE k = $1`, [1]);
        const d = s.query(`INSERT INTO public.pipe_t (k, v) SELECT k + 1, v + $1 FROM public.pipe_t WHERE k = 1`, [1]);
        const [, , seen] = await Promise.all([a, b, c, d]);
        return seen[0]!.v;
      },
      { pipeline: true },
    );
    expect(out).toBe(30);
    expect(await rows()).toEqual([
      { k: 1, v: 30 },
      { k: 2, v: 31 },
    ]);
  });

  it('rolls everything back when one statement fails, even one the caller did not await', async () => {
    const before = await rows();
    const attempt = database.transaction(
      async (s) => {
        void s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [3, 1]);
        void s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [1, 1]); // the key is taken
        void s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [4, 1]);
        return 'done';
      },
      { pipeline: true },
    );
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    expect(await rows()).toEqual(before);
    // The connection is clean afterwards: the next transaction commits.
    await database.transaction(async (s) => s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [5, 5]), { pipeline: true });
    expect((await rows()).map((r) => r.k)).toEqual([1, 2, 5]);
  });

  it('gives the cause, not the "transaction is aborted" of the statements after it, and writes nothing when the caller throws', async () => {
    const before = await rows();
    const attempt = database.transaction(
      async (s) => {
        const bad = s.query(`SELECT 1 / (v - v) FROM public.pipe_t WHERE k = $1`, [1]);
        const after = s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [6, 6]);
        await Promise.all([bad, after]);
      },
      { pipeline: true },
    );
    await expect(attempt).rejects.toMatchObject({ code: '22012' });
    const thrown = database.transaction(
      async (s) => {
        void s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [7, 7]);
        throw new Error('changed my mind');
      },
      { pipeline: true },
    );
    await expect(thrown).rejects.toThrow('changed my mind');
    expect(await rows()).toEqual(before);
  });

  it('answers a statement the server cannot parse with its error, and the ones after it too', async () => {
    const before = await rows();
    const attempt = database.transaction(
      async (s) => {
        const a = s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [8, 8]);
        const b = s.query(`SELECT FROM WHERE $1`, [1]);
        const c = s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [9, 9]);
        await Promise.all([a, b, c]);
      },
      { pipeline: true },
    );
    await expect(attempt).rejects.toMatchObject({ code: '42601' });
    expect(await rows()).toEqual(before);
  });

  it('sends a statement longer than 20,000 characters with its parameters (a bulk insert of many rows)', async () => {
    const keys = Array.from({ length: 2000 }, (_, i) => 1000 + i);
    const text = `INSERT INTO public.pipe_t (k, v) VALUES ${keys.map((_, i) => `($${2 * i + 1}::int, $${2 * i + 2}::int)`).join(', ')}`;
    expect(text.length).toBeGreaterThan(20_000);
    await database.query(
      text,
      keys.flatMap((k) => [k, k * 2]),
    );
    const n = await database.query<{ n: number; s: number }>(
      `SELECT count(*)::int AS n, sum(v)::int AS s FROM public.pipe_t WHERE k >= 1000`,
    );
    expect(n[0]).toEqual({ n: 2000, s: keys.reduce((a, k) => a + 2 * k, 0) });
    await database.query(`DELETE FROM public.pipe_t WHERE k >= $1`, [1000]);
  });

  it('commits ahead: COMMIT goes with the statements, their answers come back after it, and nothing may follow', async () => {
    const out = await database.transaction(
      async (s) => {
        const a = s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [7, 70]);
        const b = s.query<{ v: number }>(`SELECT v FROM public.pipe_t WHERE k = $1`, [7]);
        s.commitAhead();
        const late = s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [8, 80]);
        await expect(late).rejects.toThrow(/sent after its transaction ended/);
        const [, seen] = await Promise.all([a, b]);
        return seen[0]!.v;
      },
      { pipeline: true },
    );
    expect(out).toBe(70);
    expect((await rows()).filter((r) => r.k >= 7)).toEqual([{ k: 7, v: 70 }]);
    await database.query(`DELETE FROM public.pipe_t WHERE k = $1`, [7]);
  });

  it("rolls back by itself when a statement committed ahead fails, with that statement's error (platform.ensure)", async () => {
    const before = await rows();
    const attempt = database.transaction(
      async (s) => {
        void s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [9, 90]);
        void s.query(`SELECT platform.ensure(v > $2, 'pipe_t: ' || k || ' is short') FROM public.pipe_t WHERE k = $1`, [9, 100]);
        void s.query(`INSERT INTO public.pipe_t (k, v) VALUES ($1, $2)`, [10, 100]);
        s.commitAhead();
        return 'sent';
      },
      { pipeline: true },
    );
    await expect(attempt).rejects.toMatchObject({ code: 'PT001', message: 'pipe_t: 9 is short' });
    expect(await rows()).toEqual(before);
    // ensure passes a condition that holds, and the connection is clean for the next transaction.
    const ok = await database.transaction(
      async (s) => {
        const r = s.query<{ ok: boolean }>(`SELECT platform.ensure($1::int > 0, 'never') AS ok`, [1]);
        s.commitAhead();
        return (await r)[0]!.ok;
      },
      { pipeline: true },
    );
    expect(ok).toBe(true);
  });

  it("keeps the query builder's statements with the transaction's: one awaited after commitAhead is refused, not run after COMMIT", async () => {
    const attempt = database.transaction(
      async (s) => {
        await s.db.execute(sql`INSERT INTO public.pipe_t (k, v) VALUES (11, 110)`);
        const late = s.db.execute(sql`INSERT INTO public.pipe_t (k, v) VALUES (12, 120)`);
        s.commitAhead();
        await late;
      },
      { pipeline: true },
    );
    // Drizzle wraps the refusal ("Failed query: ..."), with ours as the cause.
    await expect(attempt).rejects.toMatchObject({ cause: { message: expect.stringMatching(/sent after its transaction ended/) } });
    // Row 11 was sent before the COMMIT (committed on PostgreSQL, rolled back on PGlite, where fn threw first); row 12
    // never reached the server on either.
    expect((await rows()).filter((r) => r.k === 12)).toEqual([]);
    await database.query(`DELETE FROM public.pipe_t WHERE k = $1`, [11]);
  });

  it.skipIf(!onPostgres)('refuses COPY in a pipelined transaction', async () => {
    await expect(database.transaction(async (s) => s.copyCsv('public.pipe_t', ['k', 'v'], '9,9\n'), { pipeline: true })).rejects.toThrow(
      /COPY cannot run in a pipelined transaction/,
    );
  });
});
