import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/client.ts';
import { ImportRun, ImportRunList, ImportRunParams, ImportStarted, ImportUploadQuery } from '../../platform/http/console.contract.ts';
import { ImportUploads } from './uploads.ts';

const tags = ['imports'];
const roles = ['admin', 'analyst'] as const;

/** The content types an upload may have. Registered in this plugin's scope only: other routes take JSON. */
const UPLOAD_TYPES = ['text/csv', 'text/plain', 'application/gzip', 'application/x-gzip', 'application/octet-stream'];

/** Console uploads: POST /api/v1/imports (the file as the raw body), the runs, and their rejects. */
export function registerImportRoutes(app: FastifyInstance, database: Database): void {
  const uploads = new ImportUploads(database, app.log);
  app.addHook('onClose', async () => uploads.drain());

  app.register(async (scope) => {
    // The body stays a stream for the handler to write to disk; the 200 MB limit is enforced while it is written.
    scope.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/v1/imports', {
      config: { roles },
      schema: {
        tags,
        summary: 'Upload a receipts file (the raw body: text/csv, application/gzip or application/octet-stream, up to 200 MB) and import it in the background',
        querystring: ImportUploadQuery,
        response: { 202: ImportStarted },
      },
      handler: async (req, reply) => {
        const length = Number(req.headers['content-length']);
        const id = await uploads.start(req.body as Readable, {
          format: req.query.format,
          fileName: req.query.fileName,
          store: req.query.store,
          currency: req.query.currency,
          contentLength: Number.isFinite(length) ? length : undefined,
        });
        return reply.code(202).send({ id, status: 'running' as const });
      },
    });
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/imports', {
    config: { roles },
    schema: { tags, summary: 'The latest 20 import runs, newest first', response: { 200: ImportRunList } },
    handler: async () => ({ runs: await uploads.list(20) }),
  });
  r.get('/api/v1/imports/:id', {
    config: { roles },
    schema: { tags, summary: "An import run: its status, progress, summary when done, error when failed", params: ImportRunParams, response: { 200: ImportRun } },
    handler: async (req) => uploads.get(req.params.id),
  });
  r.get('/api/v1/imports/:id/rejects', {
    config: { roles },
    schema: { tags, summary: 'The rejected rows of an import run as CSV (line, field, reason, then the row as read)', params: ImportRunParams },
    handler: async (req, reply) => {
      const path = await uploads.rejectsFile(req.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.id}.rejects.csv"`)
        .send(createReadStream(path));
    },
  });
}
