import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as sales from '../../modules/sales/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { postReceipt } from './post-receipt.ts';

const { PostReceiptBody, PostReceiptResponse, Receipt, ReceiptKeyParams } = sales.salesContracts;
const tags = ['receipts'];

export function registerReceiptRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/v1/receipts', {
    config: { roles: ['admin', 'till'] },
    schema: {
      tags,
      summary: 'Post a receipt (sale or return); idempotent by store and number',
      description: 'A replay with the same content answers 200 with the stored receipt and `replayed: true`. Different content under a stored number answers 409.',
      body: PostReceiptBody,
      response: { 200: PostReceiptResponse, 201: PostReceiptResponse },
    },
    handler: async (req, reply) => {
      const out = await postReceipt(database, req.body);
      return reply.code(out.replayed ? 200 : 201).send(out);
    },
  });

  r.get('/api/v1/receipts/:store/:number', {
    config: { roles: ['admin', 'till', 'agent', 'analyst'] },
    schema: { tags, summary: 'Get a receipt by store and number', params: ReceiptKeyParams, response: { 200: Receipt } },
    handler: async (req) => sales.getReceiptByKey(database, req.params.store, req.params.number),
  });
}
