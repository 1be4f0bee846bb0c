import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../platform/db/client.ts';
import * as c from './segments.contract.ts';
import * as service from './segments.service.ts';
import type { GridVersionRow } from './segments.repository.ts';
import { findClustering, runClustering } from './clusters.service.ts';
import { AppError } from '../../platform/errors.ts';

const tags = ['segments'];
const readers = ['admin', 'analyst', 'agent'] as const;

function gridDto(g: GridVersionRow) {
  return { ...g, createdAt: new Date(g.createdAt).toISOString() };
}

export function registerSegmentRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/segments/rfm', {
    config: { roles: readers },
    schema: { tags, summary: 'R, F, M and the R×F grid as of a date (by default the latest purchase’s; refreshed on first use)', querystring: c.RfmQuery, response: { 200: c.RfmReport } },
    handler: async (req) => service.rfmReport(database, req.query.asOf, { currency: req.query.currency, net: req.query.net, refresh: req.query.refresh }),
  });

  r.post('/api/v1/segments/refresh', {
    config: { roles: ['admin', 'analyst'] },
    schema: { tags, summary: 'Recompute every customer’s cell and scores as of a date (set-based)', body: c.RefreshBody, response: { 200: c.RefreshResult } },
    handler: async (req) => {
      const out = await service.refreshSegments(database, req.body);
      return { ...out, grid: gridDto(out.grid) };
    },
  });

  r.get('/api/v1/segments/migration', {
    config: { roles: readers },
    schema: { tags, summary: 'Customers moving between cells from one date to another', querystring: c.MigrationQuery, response: { 200: c.MigrationReport } },
    handler: async (req) => service.migrationReport(database, req.query.from, req.query.to),
  });

  r.get('/api/v1/segments/grid', {
    config: { roles: readers },
    schema: { tags, summary: 'The current grid thresholds', response: { 200: z.object({ grid: c.GridVersion.nullable() }) } },
    handler: async () => {
      const g = await service.currentGrid(database);
      return { grid: g ? gridDto(g) : null };
    },
  });

  r.put('/api/v1/segments/grid', {
    config: { roles: ['admin', 'analyst'] },
    schema: { tags, summary: 'Set new grid thresholds (a new version; later refreshes use it)', body: c.SetGridBody, response: { 200: c.GridVersion } },
    handler: async (req) => gridDto(await service.setGrid(database, req.body, req.body.note)),
  });

  r.get('/api/v1/segments/customers', {
    config: { roles: readers },
    schema: { tags, summary: 'Customers of one cell or RFM segment, by monetary value', querystring: c.SegmentCustomersQuery, response: { 200: c.SegmentCustomersPage } },
    handler: async (req) => service.listSegmentCustomers(database, req.query.asOf, { cell: req.query.cell, rfmSegment: req.query.rfmSegment }, req.query.limit, req.query.cursor),
  });

  r.post('/api/v1/segments/clusters', {
    config: { roles: ['admin', 'analyst'] },
    schema: {
      tags,
      summary: 'Cluster customers on behaviour as of a date (k chosen by silhouette unless given; fixed seed)',
      body: z.object({ asOf: c.IsoDate, k: z.number().int().min(2).max(20).optional(), seed: z.number().int().optional() }).strict(),
      response: { 200: z.record(z.string(), z.unknown()) },
    },
    handler: async (req) => runClustering(database, req.body),
  });

  r.get('/api/v1/segments/clusters', {
    config: { roles: readers },
    schema: { tags, summary: 'The stored clustering of a date, with each cluster described in words', querystring: z.object({ asOf: c.IsoDate }), response: { 200: z.record(z.string(), z.unknown()) } },
    handler: async (req) => {
      const found = await findClustering(database, req.query.asOf);
      if (!found) throw new AppError('NOT_FOUND', `No clustering as of ${req.query.asOf}: POST /api/v1/segments/clusters first.`);
      return found;
    },
  });
}
