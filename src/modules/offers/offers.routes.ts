import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../platform/db/client.ts';
import { CreateOfferBody, Offer, OfferIdParams, OfferList } from './offers.contract.ts';
import { archiveOffer, createOffer, getOffer, listOffers } from './offers.service.ts';

const tags = ['offers'];

/**
 * Offers' routes. `program` gives the program's currency and stacking groups (the loyalty module's), passed in by the
 * composition root so that this module does not depend on loyalty.
 */
export function registerOfferRoutes(app: FastifyInstance, database: Database, program: () => Promise<{ currency: string; groups: string[] }>): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/v1/offers', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Create an offer (volume, brand, bundle, birthday, tier, personal)', body: CreateOfferBody, response: { 201: Offer } },
    handler: async (req, reply) => {
      const p = await program();
      return reply.code(201).send(await createOffer(database, req.body, p.currency, p.groups));
    },
  });
  r.get('/api/v1/offers', {
    config: { roles: ['admin', 'analyst', 'agent', 'till'] },
    schema: { tags, summary: 'Offers, by priority', querystring: z.object({ archived: z.enum(['true', 'false']).default('false') }), response: { 200: OfferList } },
    handler: async (req) => ({ offers: await listOffers(database, (await program()).currency, req.query.archived === 'true') }),
  });
  r.get('/api/v1/offers/:id', {
    config: { roles: ['admin', 'analyst', 'agent', 'till'] },
    schema: { tags, summary: 'One offer, with its budget spent', params: OfferIdParams, response: { 200: Offer } },
    handler: async (req) => getOffer(database, req.params.id, (await program()).currency),
  });
  r.post('/api/v1/offers/:id/archive', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Archive an offer: it stops applying', params: OfferIdParams, response: { 200: Offer } },
    handler: async (req) => archiveOffer(database, req.params.id, (await program()).currency),
  });
}
