import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as customers from '../../modules/customers/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { Customer360, TimelineQuery, customer360, mergeCustomers } from './customer-360.ts';

const { CustomerIdParams, MergeBody, Customer } = customers.customerContracts;
const tags = ['customers'];

export function registerCustomer360Routes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/customers/:id/360', {
    config: { roles: ['admin', 'agent', 'analyst'] },
    schema: {
      tags,
      summary: "The customer's 360 view: identities, consents, totals and a page of the timeline",
      params: CustomerIdParams,
      querystring: TimelineQuery,
      response: { 200: Customer360 },
    },
    handler: async (req) => {
      const view = await customer360(database, req.params.id, req.query.limit, req.query.cursor);
      return { ...view, customer: await customers.presentCustomer(database, req, 'customer.read360', view.customer) };
    },
  });

  r.post('/api/v1/customers/:id/merge', {
    config: { roles: ['admin', 'agent'] },
    schema: {
      tags,
      summary: 'Merge another customer into this one; both histories are kept under this id',
      params: CustomerIdParams,
      body: MergeBody,
      response: { 200: z.object({ customer: Customer, receiptsMoved: z.number().int() }) },
    },
    handler: async (req) => {
      const { receiptsMoved } = await mergeCustomers(database, req.params.id, req.body.from, req.principal!.keyId);
      const customer = await customers.presentCustomer(database, req, 'customer.merge', await customers.getCustomer(database, req.params.id));
      return { customer, receiptsMoved };
    },
  });
}
