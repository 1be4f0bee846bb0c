import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/db.ts';
import type { Database } from '../../platform/db/client.ts';
import * as repo from './loyalty.repository.ts';
import { refreshCellPriors } from './loyalty.service.ts';

// The ladder-priors job pools every customer's accepted and declined ladder steps by the R×F cell they are in now.
describe('ladder priors', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('pools the counts by cell, and two runs at once (the job and the CLI) both finish with the same table', async () => {
    await database.transaction((s) =>
      repo.addLadderCounts(s, [
        { customerId: 'prior-a', step: '5', successes: 2, failures: 1 },
        { customerId: 'prior-b', step: '5', successes: 1, failures: 3 },
        { customerId: 'prior-c', step: '5', successes: 4, failures: 0 },
        { customerId: 'prior-c', step: '10', successes: 1, failures: 1 },
      ]),
    );
    const cells = { customerIds: ['prior-a', 'prior-b', 'prior-c'], cells: ['vip', 'vip', 'lost'] };
    const read = () =>
      database.query<{ cell: string; step: string; successes: number; failures: number }>(
        `SELECT cell, step, successes, failures FROM loyalty.ladder_cell_stats ORDER BY cell, step`,
      );
    expect(await refreshCellPriors(database, '2031-01-10', cells)).toBe(3);
    const once = await read();
    expect(once).toEqual([
      { cell: 'lost', step: '10', successes: 1, failures: 1 },
      { cell: 'lost', step: '5', successes: 4, failures: 0 },
      { cell: 'vip', step: '5', successes: 3, failures: 4 },
    ]);
    // On PostgreSQL the second used to fail on the first's rows (it deleted before they were committed). Two
    // connections are opened first, so that the runs overlap rather than wait for a connection to be made.
    await Promise.all([1, 2].map(() => database.query(`SELECT pg_sleep(0.05)`)));
    expect(await Promise.all([1, 2].map(() => refreshCellPriors(database, '2031-01-10', cells)))).toEqual([3, 3]);
    expect(await read()).toEqual(once);
  });
});
