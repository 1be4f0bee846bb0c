import { join } from 'node:path';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { ROOT } from '../paths.ts';
import type { Database } from './client.ts';

const MIGRATIONS = join(ROOT, 'drizzle');

/** Applies the committed migrations in drizzle/. Safe to run from several processes: one advisory lock serializes them. */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS });
    return;
  }
  await database.query('SELECT pg_advisory_lock(727274)');
  try {
    await migratePg(database.db as unknown as NodePgDatabase, { migrationsFolder: MIGRATIONS });
  } finally {
    await database.query('SELECT pg_advisory_unlock(727274)');
  }
}
