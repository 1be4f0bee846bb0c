import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/client.ts';
import { ConsoleContext, Overview, OverviewQuery } from '../../platform/http/console.contract.ts';
import { latestPurchaseDate, overview } from './overview.ts';

export function registerConsoleRoutes(app: FastifyInstance, database: Database): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/console/overview', {
    config: { roles: ['admin', 'analyst', 'agent'] },
    schema: {
      tags: ['console'],
      summary: 'Headline figures as of a date: customers, active customers, revenue against the year before, receipts',
      querystring: OverviewQuery,
      response: { 200: Overview },
    },
    handler: async (req) => overview(database, req.query),
  });

  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/console/context', {
    config: { roles: ['admin', 'analyst', 'agent', 'till', 'partner'] },
    schema: {
      tags: ['console'],
      summary: "The console's starting context: the default as-of date (the latest purchase's), one indexed query",
      response: { 200: ConsoleContext },
    },
    handler: async () => ({ defaultAsOf: (await latestPurchaseDate(database)) ?? null }),
  });
}
