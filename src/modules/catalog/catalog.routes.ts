import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/client.ts';
import { StoreList } from './catalog.contract.ts';
import { listStores } from './catalog.repository.ts';

export function registerCatalogRoutes(app: FastifyInstance, database: Database): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/stores', {
    config: { roles: ['admin', 'analyst', 'till', 'agent', 'partner'] },
    schema: { tags: ['catalog'], summary: 'List stores', response: { 200: StoreList } },
    handler: async () => ({
      stores: (await listStores(database)).map((s) => ({ code: s.code, name: s.name, currency: s.currency, createdAt: s.createdAt.toISOString() })),
    }),
  });
}
