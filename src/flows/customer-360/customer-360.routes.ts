import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as customers from '../../modules/customers/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { canReadPersonalData } from '../../platform/http/app.ts';
import { maskValue } from '../../platform/http/personal-data.ts';
import { Customer360, Customer360Query, type Loyalty360 } from './customer-360.contract.ts';
import { customer360, mergeCustomers } from './customer-360.ts';

const { CustomerIdParams, MergeBody, Customer } = customers.customerContracts;
const tags = ['customers'];

/**
 * The loyalty section as the caller may see it. Points, tiers and ladder counts are not personal data; a card number
 * is an identity, so it is masked like the customer's identities for roles without personal-data access. A birthday
 * offer in force would tell the birth date within a few days, so those roles do not see it either.
 */
function presentLoyalty(req: FastifyRequest, view: Loyalty360 | null): Loyalty360 | null {
  if (!view || canReadPersonalData(req)) return view;
  return {
    ...view,
    cards: view.cards.map((c) => ({
      ...c,
      number: maskValue(c.number),
      replacedBy: c.replacedBy === null ? null : maskValue(c.replacedBy),
    })),
    offers: view.offers.filter((o) => o.kind !== 'birthday'),
  };
}

export function registerCustomer360Routes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/customers/:id/360', {
    config: { roles: ['admin', 'agent', 'analyst'] },
    schema: {
      tags,
      summary: "The customer's 360 view: identities, consents, totals, a page of the timeline, segments, value and the loyalty state",
      description:
        'loyalty is null when no program is configured. Its offers are the personal, tier and birthday offers that target the customer now, at every store, plus those of `store` when given.',
      params: CustomerIdParams,
      querystring: Customer360Query,
      response: { 200: Customer360 },
    },
    handler: async (req) => {
      const view = await customer360(database, req.params.id, req.query.limit, req.query.cursor, { store: req.query.store });
      return {
        ...view,
        customer: await customers.presentCustomer(database, req, 'customer.read360', view.customer),
        loyalty: presentLoyalty(req, view.loyalty),
      };
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
      const customer = await customers.presentCustomer(
        database,
        req,
        'customer.merge',
        await customers.getCustomer(database, req.params.id),
      );
      return { customer, receiptsMoved };
    },
  });
}
