import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/client.ts';
import { PnlQuery, ProgramPnl } from './program-pnl.contract.ts';
import { programPnlForDates } from './program-pnl.ts';

/** GET /api/v1/program/pnl: the program P&L for the whole UTC days [from, to). */
export function registerProgramPnlRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/program/pnl', {
    config: { roles: ['admin', 'analyst'] },
    schema: {
      tags: ['program'],
      summary: 'The program P&L for [from, to): revenue against the global control group, points liability, operating costs, net estimate',
      description:
        'Revenue per customer of the customers campaigns may reach against the global control group (Welch 95% interval), scaled to the reachable customers; points issued, spent, expired and adjusted with the outstanding balance at both ends and the expected breakage; the costs of campaigns launched in the period and of points issued; incremental margin less costs, an estimate. In the program currency.',
      querystring: PnlQuery,
      response: { 200: ProgramPnl },
    },
    handler: async (req) => programPnlForDates(database, req.query.from, req.query.to),
  });
}
