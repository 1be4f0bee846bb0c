import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/client.ts';
import * as c from './experiments.contract.ts';
import * as importer from './experiments.import.ts';
import * as uplift from './experiments.uplift.ts';
import * as service from './experiments.service.ts';

const tags = ['experiments'];
const readers = ['admin', 'analyst'] as const;
const UPLOAD_TYPES = ['text/csv', 'text/plain', 'application/octet-stream'];

/** Experiments: list, import (the CSV as the raw body), report, per-segment effects, uplift models, sample size. */
export function registerExperimentRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/experiments', {
    config: { roles: readers },
    schema: { tags, summary: 'Every experiment: arms, control, outcomes, attributes and size', response: { 200: c.ExperimentList } },
    handler: async () => ({ experiments: await service.listExperiments(database) }),
  });

  app.register(async (scope) => {
    // The body stays a stream: the import parses it as it arrives and writes in batches, in one transaction.
    scope.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/v1/experiments', {
      config: { roles: readers },
      schema: {
        tags,
        summary:
          'Import a finished experiment from a CSV file (the raw body, text/csv) of the shape of its source (hillstrom); all or nothing',
        querystring: c.ImportQuery,
        response: { 201: c.ImportResult },
      },
      handler: async (req, reply) => {
        const spec = service.EXPERIMENT_SOURCES[req.query.source] as service.ExperimentSpec;
        const out = await importer.importExperiment(database, req.body as Readable, {
          name: req.query.name,
          spec,
          label: 'the uploaded file',
        });
        return reply.code(201).send(out);
      },
    });
  });

  r.get('/api/v1/experiments/sample-size', {
    config: { roles: readers },
    schema: {
      tags,
      summary: 'Customers needed per arm to detect a lift in a rate (baseline, lift) or a difference in a mean (delta, sd)',
      querystring: c.SampleSizeQuery,
      response: { 200: c.SampleSize },
    },
    handler: async (req) => {
      const q = req.query;
      const common = { alpha: q.alpha, power: q.power, alternative: q.alternative };
      return q.baseline !== undefined && q.lift !== undefined
        ? uplift.planSampleSize({ baseline: q.baseline, lift: q.lift, liftType: q.liftType, ...common })
        : uplift.planSampleSize({ delta: q.delta as number, sd: q.sd as number, ...common });
    },
  });

  r.get('/api/v1/experiments/:name/report', {
    config: { roles: readers },
    schema: {
      tags,
      summary:
        'Per arm: rates and means per customer with 95% intervals; each treatment against control with its interval. With `by`: the effect per segment of that attribute',
      params: c.ExperimentParams,
      querystring: c.ReportQuery,
      response: { 200: c.ReportOrSegments },
    },
    handler: async (req) => {
      const q = req.query;
      if (q.by !== undefined)
        return service.segmentReport(database, req.params.name, {
          by: q.by,
          treatment: q.treatment,
          outcome: q.outcome,
          confidence: q.confidence,
        });
      return service.experimentReport(database, req.params.name, {
        confidence: q.confidence,
        bootstrapReps: q.bootstrapReps,
        bootstrapSeed: q.bootstrapSeed,
      });
    },
  });

  r.post('/api/v1/experiments/:name/uplift', {
    config: { roles: readers },
    schema: {
      tags,
      summary:
        'Fit an uplift model on a seeded split and score it on the held-out rest: Qini coefficient, AUUC, uplift@30% and the Qini and uplift curves (at most 200 points)',
      params: c.ExperimentParams,
      body: c.UpliftBody,
      response: { 200: c.UpliftResult },
    },
    handler: async (req) => uplift.evaluateExperimentUplift(database, req.params.name, req.body),
  });
}
