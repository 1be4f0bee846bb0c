// The till benchmark's baseline: Fastify and a pg Pool answering POST /quote with exactly one indexed query, run as a
// child process by bench/till.ts. It is the floor any till endpoint on the same stack pays: HTTP, JSON in and out,
// one round trip to PostgreSQL.
//
// Usage: node --import tsx bench/lib/baseline-server.ts --database-url URL --port N [--pool N]
// Prints one line `listening <address>` on stdout when it accepts requests.
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    port: { type: 'string', default: '0' },
    // Patron's pool size: openPostgres in src/platform/db/client.ts (max 10).
    pool: { type: 'string', default: '10' },
  },
});
if (!args['database-url']) throw new Error('--database-url is required');
const port = Number(args.port);
const poolMax = Number(args.pool);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got '${args.port}'`);
if (!Number.isInteger(poolMax) || poolMax < 1) throw new Error(`--pool must be a positive integer, got '${args.pool}'`);

const pool = new pg.Pool({ connectionString: args['database-url'], max: poolMax });
// As in Patron's client: an idle connection ended by the server must not crash the process.
pool.on('error', () => undefined);

type QuoteBody = {
  store?: unknown;
  currency?: unknown;
  customer?: { kind?: unknown; value?: unknown };
  lines?: unknown;
};

// The same shape of statement as a till's first read: the card's customer and wallet, by two primary-key lookups.
const BALANCE_SQL = `SELECT i.customer_id, b.active, b.pending
  FROM customers.identities i LEFT JOIN loyalty.balances b ON b.customer_id = i.customer_id
  WHERE i.kind = 'card' AND i.value = $1`;

const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });

app.get('/healthz', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

app.post('/quote', async (req, reply) => {
  const body = req.body as QuoteBody | null;
  const card = body?.customer?.value;
  if (typeof card !== 'string' || !Array.isArray(body?.lines)) {
    return reply.code(400).send({ code: 'VALIDATION_FAILED', message: 'customer.value and lines are required' });
  }
  const r = await pool.query<{ customer_id: string; active: number | null; pending: number | null }>(BALANCE_SQL, [card]);
  const row = r.rows[0];
  return {
    store: body.store,
    currency: body.currency,
    customerId: row?.customer_id ?? null,
    balance: { active: row?.active ?? 0, pending: row?.pending ?? 0 },
    lines: body.lines.length,
  };
});

const address = await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening ${address}\n`);

const stop = async (): Promise<void> => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
