import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client.ts';

const Entry = z.object({ at: z.string(), actor: z.string(), actorName: z.string().nullable(), action: z.string(), requestId: z.string().nullable() });

/**
 * Who read a customer's personal data, newest first. Admins only. Actors are API keys, named here, or console users,
 * whose names `actorNames` supplies (the platform does not know the staff module).
 */
export function registerAuditRoutes(app: FastifyInstance, database: Database, opts: { actorNames?: (ids: string[]) => Promise<Map<string, string>> } = {}): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/customers/:id/audit', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['customers'],
      summary: "Reads of the customer's personal data: who, when, what",
      params: z.object({ id: z.string().min(1) }),
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ entries: z.array(Entry) }) },
    },
    handler: async (req) => {
      const rows = await database.query<{ at: Date; actor: string; actorName: string | null; action: string; requestId: string | null }>(
        `SELECT a.at, a.actor, k.name AS "actorName", a.action, a.request_id AS "requestId"
         FROM platform.audit_log a LEFT JOIN platform.api_keys k ON k.id = a.actor
         WHERE a.customer_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2`,
        [req.params.id, req.query.limit],
      );
      const unnamed = [...new Set(rows.filter((r) => r.actorName === null).map((r) => r.actor))];
      const names = unnamed.length > 0 && opts.actorNames ? await opts.actorNames(unnamed) : new Map<string, string>();
      return { entries: rows.map((r) => ({ ...r, actorName: r.actorName ?? names.get(r.actor) ?? null, at: new Date(r.at).toISOString() })) };
    },
  });
}
