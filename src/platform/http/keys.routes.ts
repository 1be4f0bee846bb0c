import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { ROLES, createApiKey, listApiKeys, revokeApiKey } from './auth.ts';
import { AppError } from '../errors.ts';

const tags = ['keys'];
const Key = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), displayPrefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });

export function registerKeyRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/v1/keys', {
    config: { roles: ['admin'] },
    schema: {
      tags,
      summary: 'Create an API key; its secret is returned once and stored only as a hash',
      body: z.object({ role: z.enum(ROLES), name: z.string().min(1).max(100) }).strict(),
      response: { 201: z.object({ id: z.string(), role: z.enum(ROLES), name: z.string(), secret: z.string() }) },
    },
    handler: async (req, reply) => reply.code(201).send(await createApiKey(database, req.body.role, req.body.name)),
  });
  r.get('/api/v1/keys', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'List API keys (never their secrets)', response: { 200: z.object({ keys: z.array(Key) }) } },
    handler: async () => ({
      keys: (await listApiKeys(database)).map((k) => ({ ...k, createdAt: new Date(k.createdAt).toISOString(), revokedAt: k.revokedAt ? new Date(k.revokedAt).toISOString() : null })),
    }),
  });
  r.delete('/api/v1/keys/:id', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Revoke an API key', params: z.object({ id: z.string().min(1) }), response: { 204: z.null() } },
    handler: async (req, reply) => {
      if (!(await revokeApiKey(database, req.params.id))) throw new AppError('NOT_FOUND', `No active key ${req.params.id}.`);
      return reply.code(204).send(null);
    },
  });
}
