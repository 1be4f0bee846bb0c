import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { PGLITE_PARSERS, openPostgres, wrapPglite, type Database } from '../src/platform/db/client.ts';

export const onPostgres = !!process.env.TEST_DATABASE_URL;

/**
 * A migrated database of this test file's own: PGlite loaded from the migrated dump, or (with TEST_DATABASE_URL) a
 * fresh PostgreSQL database cloned from the migrated template. `close()` drops the PostgreSQL database.
 */
export async function openTestDatabase(): Promise<Database & { url?: string }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const dump = readFileSync(inject('pgliteDump'));
    const lite = await PGlite.create({ loadDataDir: new Blob([dump]), parsers: PGLITE_PARSERS });
    return wrapPglite(lite);
  }
  const name = `patron_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = openPostgres(u.toString());
  return {
    ...db,
    kind: db.kind,
    db: db.db,
    url: u.toString(),
    async close() {
      await db.close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** The shared data sets of the team (../shared/data), present on the team's machines and in CI. */
export const SHARED_DATA = new URL('../../shared/data/', import.meta.url).pathname;
