import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../platform/db/client.ts';
import * as c from './analytics.contract.ts';
import * as service from './analytics.service.ts';

const tags = ['customer value'];
const readers = ['admin', 'analyst', 'agent'] as const;

const iso = (d: Date) => new Date(d).toISOString();

export function registerAnalyticsRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/analytics/clv/fit', {
    config: { roles: ['admin', 'analyst'] },
    schema: { tags, summary: 'Fit BG/NBD, Pareto/NBD or Gamma-Gamma by maximum likelihood on a calibration period', body: c.FitBody, response: { 200: c.FitResult } },
    handler: async (req) => service.fitModel(database, req.body),
  });

  r.get('/api/v1/analytics/clv/report', {
    config: { roles: readers },
    schema: { tags, summary: 'Fit quality on a calibration/holdout split: by calibration frequency, and weekly tracking', querystring: c.ReportQuery, response: { 200: c.FitReport } },
    handler: async (req) => service.fitReport(database, req.query),
  });

  r.post('/api/v1/analytics/clv/refresh', {
    config: { roles: ['admin', 'analyst'] },
    schema: { tags, summary: "Compute and store every customer's expected purchases, P(alive), spend and CLV", body: c.RefreshBody, response: { 200: c.RefreshResult } },
    handler: async (req) => service.refreshValues(database, req.body),
  });

  r.get('/api/v1/analytics/clv/overview', {
    config: { roles: readers },
    schema: { tags, summary: 'The CLV distribution and the top customers by expected value (latest stored values)', querystring: c.OverviewQuery, response: { 200: c.Overview } },
    handler: async (req) => {
      const o = await service.valueOverview(database, req.query);
      return { fit: o.fit, top: o.top.map((t) => ({ ...t, computedAt: iso(t.computedAt) })), histogram: o.histogram };
    },
  });

  r.get('/api/v1/customers/:id/value', {
    config: { roles: readers },
    schema: {
      tags,
      summary: "One customer's expected purchases over a horizon, P(alive), expected spend and CLV",
      params: z.object({ id: z.string().regex(/^cus_[0-9a-z]{26}$/, 'a customer id (cus_…)') }),
      querystring: c.ValueQuery,
      response: { 200: c.Prediction },
    },
    handler: async (req) => service.predictCustomer(database, { ...req.query, customerId: req.params.id }),
  });
}
