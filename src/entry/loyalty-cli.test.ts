import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCli, lastJson } from '../../test/cli.ts';
import * as customers from '../modules/customers/index.ts';
import * as loyalty from '../modules/loyalty/index.ts';
import { openDatabase } from '../platform/db/client.ts';

// The loyalty and offers commands through the real `patron` CLI, in child processes, on PGlite or (with
// TEST_DATABASE_URL) PostgreSQL. The tests run in order and share one database: the program set in one is what the
// next ones price and validate against.

let cli: TestCli;
let work: string;
const patron = (args: string[]) => cli.run(args);
const PROGRAM_FILE = new URL('../../demo/program.json', import.meta.url).pathname;
const demoProgram = JSON.parse(readFileSync(PROGRAM_FILE, 'utf8')) as Record<string, Record<string, unknown>>;

function file(name: string, content: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** Opens the CLI's own database in this process, between commands (PGlite admits one process at a time). */
async function withCliDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: cli.env().DATABASE_URL, dataDir: cli.dataDir });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const VALID_OFFERS = [
  { name: 'From 24 items −5%', rule: { kind: 'volume', minQuantity: 24, discount: { kind: 'percent', percent: 5 } }, group: 'promo', budget: '500.00' },
  { name: '3 for 2 on bags', rule: { kind: 'bundle', buy: 3, free: 1 }, group: 'promo', categories: ['bags'] },
  { name: 'VIP thank-you', rule: { kind: 'personal', cells: ['vip'], discount: { kind: 'percent', percent: 5 } }, group: 'loyalty', maxDiscount: '50.00' },
];

beforeAll(async () => {
  cli = await TestCli.open('patron-loyalty-cli-');
  work = cli.work;
});

afterAll(async () => {
  await cli?.close();
});

describe('patron loyalty and offers', () => {
  it('refuses a bad program file naming the file and the field, and stores nothing', async () => {
    const tooBig = file('too-big.json', { ...demoProgram, burn: { ...demoProgram.burn, maxSharePercent: 130 } });
    const badRef = file('bad-ref.json', { ...demoProgram, stacking: { groups: [{ key: 'promo', mode: 'exclusive', priority: 1, excludes: ['nope'] }] } });
    // Refused before the database is opened, so these run side by side.
    const [big, ref, notJson, missing] = await Promise.all([
      patron(['loyalty', 'program', 'set', tooBig, '--json']),
      patron(['loyalty', 'program', 'set', badRef]),
      patron(['loyalty', 'program', 'set', file('not-json.json', '{"currency": "GBP",')]),
      patron(['loyalty', 'program', 'set', join(work, 'nope.json')]),
    ]);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/too-big\.json: burn\.maxSharePercent: Too big/);
    expect(lastJson(big.stdout).error).toMatchObject({ code: 'VALIDATION_FAILED', file: tooBig, fields: [{ field: 'burn.maxSharePercent', message: expect.stringMatching(/Too big/) }] });
    expect(ref.code).toBe(1);
    expect(ref.stderr).toMatch(/stacking\.groups\[0\]\.excludes\[0\]: no stacking group 'nope'/);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/not-json\.json: not JSON/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.json: cannot read it \(no such file\)/);
  });

  it('sets the program from a file as a new version each time, and shows it', async () => {
    const set = await patron(['loyalty', 'program', 'set', PROGRAM_FILE, '--json']);
    expect(set.code, set.stderr).toBe(0);
    const v1 = lastJson(set.stdout).program;
    // Version 1: none of the refused files stored a program.
    expect(v1).toMatchObject({ version: 1, note: null, config: { currency: 'GBP', burn: { pointValue: '0.01', maxSharePercent: 30 } } });
    const again = await patron(['loyalty', 'program', 'set', PROGRAM_FILE, '--note', 'the demo, again']);
    expect(again.stdout).toMatch(new RegExp(`^Program v${v1.version + 1} \\(GBP\\) is in force: the demo, again`));
    const show = await patron(['loyalty', 'program', 'show', '--json']);
    expect(lastJson(show.stdout).program).toMatchObject({ version: v1.version + 1, note: 'the demo, again', config: { lifecycle: { pendingDays: 14, expiryMonths: 12 } } });
    expect(lastJson(show.stdout).program.config.tiers.levels.map((t: { key: string }) => t.key)).toEqual(['bronze', 'silver', 'gold']);
  });

  it('lists the versions, newest first, and shows a replaced one; an unknown version exits 1', async () => {
    const history = await patron(['loyalty', 'program', 'history', '--json']);
    expect(history.code, history.stderr).toBe(0);
    const versions = lastJson(history.stdout).versions as { version: number; note: string | null; inForce: boolean }[];
    expect(versions.map((v) => [v.version, v.note, v.inForce])).toEqual([
      [2, 'the demo, again', true],
      [1, null, false],
    ]);
    const text = await patron(['loyalty', 'program', 'history']);
    expect(text.stdout).toMatch(/^v2 .* \(in force\) {2}the demo, again\nv1 /m);
    const old = await patron(['loyalty', 'program', 'show', '1']);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toMatch(/^Loyalty program v1 \(GBP\), stored .* UTC, replaced \(v2 is in force\)\./);
    const missing = await patron(['loyalty', 'program', 'show', '7']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/version: the program has no version 7/);
    const bad = await patron(['loyalty', 'program', 'show', 'latest']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/a version number ≥ 1/);
  });

  it('adds offers all or none: an invalid item exits 1 naming [index].field and stores nothing', async () => {
    const badItem = file('offers-bad.json', [VALID_OFFERS[0], { ...VALID_OFFERS[2], rule: { kind: 'personal', cells: ['vip'], discount: { kind: 'percent', percent: 150 } } }, VALID_OFFERS[1]]);
    // Refused before the database is opened, so these run side by side.
    const [bad, notArray] = await Promise.all([patron(['offers', 'add', badItem, '--json']), patron(['offers', 'add', file('offers-object.json', VALID_OFFERS[0])])]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/offers-bad\.json: \[1\]\.rule\.discount\.percent: Too big/);
    expect(lastJson(bad.stdout).error.fields).toEqual([{ field: '[1].rule.discount.percent', message: expect.stringMatching(/Too big/) }]);
    expect(notArray.code).toBe(1);
    expect(notArray.stderr).toMatch(/a JSON array of offers is expected/);
    // Valid for the schema, but not for the program: checked before anything is stored.
    const badGroup = await patron(['offers', 'add', file('offers-group.json', [VALID_OFFERS[0], { ...VALID_OFFERS[1], group: 'seasonal' }]), '--json']);
    expect(badGroup.code).toBe(1);
    expect(lastJson(badGroup.stdout).error.fields).toEqual([{ field: '[1].group', message: expect.stringMatching(/no stacking group 'seasonal'/) }]);

    const ok = await patron(['offers', 'add', file('offers.json', VALID_OFFERS), '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(lastJson(ok.stdout).offers.map((o: { kind: string }) => o.kind)).toEqual(['volume', 'bundle', 'personal']);
    // Exactly these three: none of the refused files left an offer behind.
    const list = await patron(['offers', 'list', '--json']);
    const offers = lastJson(list.stdout).offers;
    expect(offers.map((o: { name: string }) => o.name).sort()).toEqual(VALID_OFFERS.map((o) => o.name).sort());
    expect(offers.find((o: { kind: string }) => o.kind === 'volume')).toMatchObject({ group: 'promo', budget: '500.00', budgetSpent: '0.00', status: 'active' });
  });

  it('edits an offer, refusing a bad edit with its field, and archives it', async () => {
    // An offer of its own: the quote below counts on the three above as they are.
    const added = await patron(['offers', 'add', file('offer-to-edit.json', [{ ...VALID_OFFERS[0], name: 'To edit', categories: ['edits'] }]), '--json']);
    expect(added.code, added.stderr).toBe(0);
    const volume = lastJson(added.stdout).offers[0];
    // Refused by the schema before the database is opened, and by the offer as it is (another kind) after.
    const [schema, kind] = await Promise.all([
      patron(['offers', 'edit', volume.id, file('edit-bad.json', { budget: 'lots' }), '--json']),
      patron(['offers', 'edit', volume.id, file('edit-kind.json', { rule: { kind: 'bundle', buy: 3, free: 1 } }), '--json']),
    ]);
    expect(schema.code).toBe(1);
    expect(lastJson(schema.stdout).error.fields).toEqual([{ field: 'budget', message: expect.stringMatching(/decimal amount/) }]);
    expect(kind.code).toBe(1);
    expect(lastJson(kind.stdout).error.fields).toEqual([{ field: 'rule.kind', message: "must stay 'volume'" }]);
    const ok = await patron(['offers', 'edit', volume.id, file('edit.json', { budget: '750.00', validTo: '2027-01-01T00:00:00Z' })]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/budget 0\.00\/750\.00 GBP {2}…–2027-01-01/);
    // Recorded, from the command line (no API key or console user): the fields the file changed, before and after.
    const changes = await patron(['offers', 'changes', volume.id, '--json']);
    expect(changes.code, changes.stderr).toBe(0);
    expect(lastJson(changes.stdout).changes).toEqual([
      {
        at: expect.any(String),
        actor: null,
        actorName: null,
        change: { budget: { from: '500.00', to: '750.00' }, validTo: { from: null, to: '2027-01-01T00:00:00.000Z' } },
      },
      // Its making, by `offers add`.
      { at: expect.any(String), actor: null, actorName: null, change: expect.objectContaining({ status: { from: null, to: 'active' }, name: { from: null, to: 'To edit' } }) },
    ]);
    const archived = await patron(['offers', 'archive', volume.id, '--json']);
    expect(archived.code, archived.stderr).toBe(0);
    expect(lastJson(archived.stdout).offer).toMatchObject({ id: volume.id, budget: '750.00', status: 'archived' });
    const again = await patron(['offers', 'edit', volume.id, file('edit-again.json', { name: 'x' }), '--json']);
    expect(again.code).toBe(1);
    expect(lastJson(again.stdout).error.code).toBe('OFFERS_ARCHIVED');
  });

  let customerId: string;

  it('issues a card and shows its balance; refuses a taken card and an unknown one', async () => {
    const issued = await patron(['loyalty', 'cards', 'issue', 'CLI-CARD-1', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    const card = lastJson(issued.stdout);
    expect(card).toMatchObject({ number: 'CLI-CARD-1', status: 'active', customerId: expect.stringMatching(/^cus_/) });
    customerId = card.customerId;
    const balance = await patron(['loyalty', 'balance', '--card', 'CLI-CARD-1', '--json']);
    expect(balance.code, balance.stderr).toBe(0);
    expect(lastJson(balance.stdout)).toEqual({ customerId, walletOwnerId: customerId, active: 0, pending: 0, expiring: [], tier: null, currency: 'GBP', activeValue: '0.00' });

    const [taken, neither] = await Promise.all([patron(['loyalty', 'cards', 'issue', 'CLI-CARD-1', '--json']), patron(['loyalty', 'balance'])]);
    expect(taken.code).toBe(1);
    expect(lastJson(taken.stdout).error).toMatchObject({ code: 'LOYALTY_CARD_TAKEN', fields: [{ field: 'number' }] });
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/--card or --customer/);
  });

  it('credits opening balances once per card, issuing the cards it does not know; a bad or blocked row writes nothing', async () => {
    const openings = () =>
      withCliDatabase((db) => db.query<{ n: number; points: number }>(`SELECT count(*)::int AS n, coalesce(sum(points), 0)::int AS points FROM loyalty.transfers WHERE cause LIKE 'opening:%'`));
    expect((await patron(['loyalty', 'cards', 'issue', 'OPEN-0001'])).code).toBe(0);
    const bad = file(
      'bad-balances.csv',
      ['card,points,expires_at', 'OPEN-0001,100,2030-01-31', '', 'OPEN-0002,ten,2030-01-31', 'open-0001,5,2030-02-30', 'OPEN-0003,5,2020-01-01'].join('\n'),
    );
    const refused = await patron(['loyalty', 'import-balances', bad, '--json']);
    expect(refused.code).toBe(1);
    // Line numbers count the header and the blank line; open-0001 is OPEN-0001 again, whatever the case.
    expect(lastJson(refused.stdout).error.fields.map((f: { field: string }) => f.field)).toEqual([
      'line 4: points',
      'line 5: card',
      'line 5: expires_at',
      'line 6: expires_at',
    ]);
    expect(await openings()).toEqual([{ n: 0, points: 0 }]);

    // Gzipped, with CRLF line ends and a blank line, as an export from another system may come.
    const good = join(work, 'balances.csv.gz');
    writeFileSync(good, gzipSync(['card,points,expires_at,customer', 'OPEN-0001,700,2030-01-31,', 'OPEN-0002,1250,,R-OPEN-2', '', 'OPEN-0003,40,2031-06-30,'].join('\r\n')));
    const first = await patron(['loyalty', 'import-balances', good, '--json', '--no-progress']);
    expect(first.code, first.stderr).toBe(0);
    expect(lastJson(first.stdout)).toEqual({ rows: 3, cardsIssued: 2, credited: 3, alreadyCredited: 0, points: 1990 });
    const one = lastJson((await patron(['loyalty', 'balance', '--card', 'OPEN-0001', '--json'])).stdout);
    expect(one).toMatchObject({ active: 700, pending: 0, expiring: [{ expiresAt: '2030-01-31T00:00:00Z', points: 700 }] });
    // Without expires_at, the program's 12 months from the import.
    const two = lastJson((await patron(['loyalty', 'balance', '--customer', 'R-OPEN-2', '--json'])).stdout);
    expect(two).toMatchObject({ active: 1250, pending: 0 });
    const months = (Date.parse(two.expiring[0].expiresAt) - Date.now()) / (30.44 * 86_400_000);
    expect(months).toBeGreaterThan(11.9);
    expect(months).toBeLessThan(12.1);

    const again = await patron(['loyalty', 'import-balances', good, '--json', '--no-progress']);
    expect(lastJson(again.stdout)).toEqual({ rows: 3, cardsIssued: 0, credited: 0, alreadyCredited: 3, points: 0 });
    expect(await openings()).toEqual([{ n: 3, points: 1990 }]);

    await withCliDatabase(async (db) => {
      for (const owner of [one.walletOwnerId, two.walletOwnerId]) {
        const c = await loyalty.checkBalance(db, owner);
        expect(c.cached).toEqual(c.ledger);
      }
      await loyalty.blockCard(db, 'OPEN-0003');
    });
    const blocked = await patron(['loyalty', 'import-balances', file('blocked.csv', 'card,points\nOPEN-0004,10\nOPEN-0003,10\n'), '--json']);
    expect(blocked.code).toBe(1);
    expect(lastJson(blocked.stdout).error.fields).toEqual([{ field: 'line 3: card', message: 'card OPEN-0003 is blocked' }]);
    expect(await openings()).toEqual([{ n: 3, points: 1990 }]);
    expect((await patron(['loyalty', 'balance', '--card', 'OPEN-0004'])).code).toBe(1); // not issued either

    // A new card whose number another customer holds (written in lower case), bound by the file to someone else:
    // refused, naming the line, before anything is written.
    const holder = await withCliDatabase((db) => customers.createCustomer(db, { identities: [{ kind: 'card', value: 'open-0005' }] }));
    const clash = await patron(['loyalty', 'import-balances', file('clash.csv', 'card,points,customer\nOPEN-0006,10,R-NEW\nOPEN-0005,10,R-OTHER\n'), '--json']);
    expect(clash.code).toBe(1);
    expect(lastJson(clash.stdout).error.fields).toEqual([
      { field: 'line 3: card', message: `card OPEN-0005 is already an identity of another customer (${holder.id})` },
    ]);
    expect(await openings()).toEqual([{ n: 3, points: 1990 }]);
    expect((await patron(['loyalty', 'balance', '--card', 'OPEN-0006'])).code).toBe(1);
    // Without a customer, the card goes to the customer who holds its number, as it would at the till.
    const held = await patron(['loyalty', 'import-balances', file('held.csv', 'card,points\nopen-0005,10\nOPEN-0007,20\n'), '--json', '--no-progress']);
    expect(held.code, held.stderr).toBe(0);
    expect(lastJson(held.stdout)).toEqual({ rows: 2, cardsIssued: 2, credited: 2, alreadyCredited: 0, points: 30 });
    expect(lastJson((await patron(['loyalty', 'balance', '--card', 'open-0005', '--json'])).stdout)).toMatchObject({ customerId: holder.id, active: 10 });
    const seventh = lastJson((await patron(['loyalty', 'balance', '--card', 'OPEN-0007', '--json'])).stdout);
    expect(seventh.customerId).not.toBe(holder.id);
    expect(seventh.active).toBe(20);
  });

  it('prices a basket as the till would, writing nothing; a bad basket exits 1 naming the file and the field', async () => {
    const basket = {
      store: 'S1',
      currency: 'GBP',
      customer: { kind: 'card', value: 'CLI-CARD-1' },
      lines: [
        { sku: 'MUG', category: 'kitchen', quantity: '24', unitPrice: '10.00', taxRate: '20' },
        { sku: 'BAG', category: 'bags', quantity: '3', unitPrice: '5.00', taxRate: '20' },
      ],
    };
    const json = await patron(['till', 'quote', file('basket.json', basket), '--json']);
    expect(json.code, json.stderr).toBe(0);
    const q = lastJson(json.stdout);
    // 27 items: the volume offer's 5% of 255.00 (12.75) beats the bags' 3 for 2 (5.00) in the exclusive promo group.
    expect(q.applied.map((a: { name: string }) => a.name)).toEqual(['From 24 items −5%']);
    expect(q.applicable.map((a: { name: string; discount: string }) => [a.name, a.discount])).toEqual([
      ['From 24 items −5%', '12.75'],
      ['3 for 2 on bags', '5.00'],
    ]);
    expect(q.totals).toMatchObject({ amount: '255.00', discount: '12.75', total: '242.25', due: '242.25' });
    // 2% of 242.25 at 0.01 a point: 484.5, floored.
    expect(q.points).toMatchObject({ earn: 484, redeemable: 0 });
    expect(q.customer).toMatchObject({ known: true, id: customerId });
    const human = await patron(['till', 'quote', file('basket.json', basket)]);
    expect(human.stdout).toContain('From 24 items −5% (volume, group promo): −12.75');
    expect(human.stdout).toContain('Also applicable, not applied: 3 for 2 on bags (−5.00 alone)');
    expect(human.stdout).toContain('Points: 484 to earn');
    // Reading only: the balance is as it was.
    expect(lastJson((await patron(['loyalty', 'balance', '--card', 'CLI-CARD-1', '--json'])).stdout)).toMatchObject({ active: 0, pending: 0 });

    const [negative, schema] = await Promise.all([
      patron(['till', 'quote', file('basket-bad.json', { ...basket, lines: [{ ...basket.lines[0], quantity: '-2' }] }), '--json']),
      patron(['till', 'quote', file('basket-schema.json', { ...basket, lines: [] })]),
    ]);
    expect(negative.code).toBe(1);
    expect(lastJson(negative.stdout).error.fields).toEqual([{ field: 'lines.0.quantity', message: expect.stringMatching(/above 0/) }]);
    expect(negative.stderr).toMatch(/basket-bad\.json: lines\.0\.quantity/);
    expect(schema.code).toBe(1);
    expect(schema.stderr).toMatch(/basket-schema\.json: lines/);
  });

  it('runs loyalty.expire through `patron jobs run`: a lot past its date goes to breakage', async () => {
    const list = lastJson((await patron(['jobs', 'list', '--json'])).stdout);
    expect(list.jobs.map((j: { name: string }) => j.name)).toEqual(expect.arrayContaining(['loyalty.activate', 'loyalty.expire', 'loyalty.tiers', 'loyalty.ladder-priors']));
    // Goodwill credited on 2020-01-01 expires after the program's 12 months, on 2021-01-01: long past.
    await withCliDatabase((db) => loyalty.adjust(db, { customerId, points: 120, reason: 'test goodwill', idempotencyKey: 'cli-expire-1', at: new Date('2020-01-01T00:00:00Z') }));

    const run = await patron(['jobs', 'run', 'loyalty.expire', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run.stdout)).toMatchObject({ job: 'loyalty.expire', status: 'succeeded', result: { lots: 1, points: 120 } });
    const after = lastJson((await patron(['loyalty', 'balance', '--customer', customerId, '--json'])).stdout);
    expect(after).toMatchObject({ customerId, active: 0, pending: 0, expiring: [] });
  });

  it('prints the partner settlement as a table, or one JSON object; a bad date exits 1 naming the flag', async () => {
    await withCliDatabase((db) => loyalty.createPartner(db, { code: 'fuel', name: 'Fuel Co', earnPercent: 10, issueCost: '0.50', burnValue: '0.80', stores: ['P-1'] }, 'GBP'));
    const [json, bad, reversed] = await Promise.all([
      patron(['loyalty', 'settlement', '--from', '2026-01-01', '--to', '2026-01-31', '--json']),
      patron(['loyalty', 'settlement', '--from', '2026-02-30', '--to', '2026-03-01']),
      patron(['loyalty', 'settlement', '--from', '2026-03-01', '--to', '2026-02-01', '--json']),
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect(lastJson(json.stdout)).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      currency: 'GBP',
      partners: [{ code: 'fuel', name: 'Fuel Co', pointsIssued: 0, pointsBurned: 0, partnerOwes: '0.00', programOwes: '0.00', net: '0.00' }],
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--from: '2026-02-30' is not a date/);
    expect(reversed.code).toBe(1);
    expect(lastJson(reversed.stdout).error.fields).toEqual([{ field: '--to', message: 'before --from' }]);
  });
});
