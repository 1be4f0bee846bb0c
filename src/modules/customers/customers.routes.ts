import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/client.ts';
import { audit, canReadPersonalData } from '../../platform/http/app.ts';
import { maskValue } from '../../platform/http/personal-data.ts';
import * as c from './customers.contract.ts';
import * as service from './customers.service.ts';

/** The customer as the caller may see it: full for roles with personal-data access (and audited), masked otherwise. */
export async function present(database: Database, req: FastifyRequest, action: string, list: c.Customer[]): Promise<c.Customer[]> {
  if (canReadPersonalData(req)) {
    await audit(database, req, action, list.map((x) => x.id));
    return list;
  }
  return list.map((x) => ({
    ...x,
    fullName: null,
    birthDate: null,
    identities: x.identities.map((i) => ({ kind: i.kind, value: maskValue(i.value) })),
  }));
}

export async function presentOne(database: Database, req: FastifyRequest, action: string, one: c.Customer): Promise<c.Customer> {
  const [shown] = await present(database, req, action, [one]);
  return shown!;
}

const tags = ['customers'];

export function registerCustomerRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/customers', {
    config: { roles: ['admin', 'agent', 'till'] },
    schema: { tags, summary: 'Create a customer with at least one identity', body: c.CreateCustomerBody, response: { 201: c.Customer } },
    handler: async (req, reply) => {
      const created = await service.createCustomer(database, req.body);
      return reply.code(201).send(await presentOne(database, req, 'customer.create', created));
    },
  });

  r.patch('/api/v1/customers/:id', {
    config: { roles: ['admin', 'agent'] },
    schema: { tags, summary: 'Update personal fields, identities and consents', params: c.CustomerIdParams, body: c.UpdateCustomerBody, response: { 200: c.Customer } },
    handler: async (req) => {
      const updated = await service.updateCustomer(database, req.params.id, req.body);
      return presentOne(database, req, 'customer.update', updated);
    },
  });

  r.get('/api/v1/customers/:id', {
    config: { roles: ['admin', 'agent', 'analyst'] },
    schema: { tags, summary: 'Get a customer by id', params: c.CustomerIdParams, response: { 200: c.Customer } },
    handler: async (req) => presentOne(database, req, 'customer.read', await service.getCustomer(database, req.params.id)),
  });

  r.get('/api/v1/customers/lookup', {
    config: { roles: ['admin', 'agent', 'till', 'analyst'] },
    schema: { tags, summary: 'Find the customer holding an identity (card, phone, email, external)', querystring: c.LookupQuery, response: { 200: c.Customer } },
    handler: async (req) => presentOne(database, req, 'customer.lookup', await service.lookupCustomer(database, req.query.kind, req.query.value)),
  });

  r.get('/api/v1/customers', {
    config: { roles: ['admin', 'agent'] },
    schema: { tags, summary: 'Search customers by identity prefix or name', querystring: c.SearchQuery, response: { 200: c.CustomerList } },
    handler: async (req) => ({ customers: await present(database, req, 'customer.search', await service.searchCustomers(database, req.query.q, req.query.limit)) }),
  });

  r.post('/api/v1/customers/:id/erase', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Erase personal data on request; receipts are kept for the books', params: c.CustomerIdParams, response: { 200: c.Customer } },
    handler: async (req) => service.eraseCustomer(database, req.params.id),
  });
}
