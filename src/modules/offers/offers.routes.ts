import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../platform/db/client.ts';
import { CreateOfferBody, Offer, OfferChangeList, OfferIdParams, OfferList, UpdateOfferBody } from './offers.contract.ts';
import { listOfferChanges, type Actor } from './offers.history.ts';
import { archiveOffer, createOffer, getOffer, listOffers, offersChanged, updateOffer } from './offers.service.ts';

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
      // One transaction: the offer and the record of its making.
      const made = await database.transaction((s) => createOffer(s, req.body, p.currency, p.groups, actorOf(req)));
      offersChanged();
      return reply.code(201).send(made);
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
  r.patch('/api/v1/offers/:id', {
    config: { roles: ['admin'] },
    schema: {
      tags,
      summary: 'Edit an offer: the fields given change, the others stay',
      description:
        'The rule is given whole and keeps the offer’s kind (a new kind is a new offer). The validity as it will be must end after it starts. A budget may be raised, lowered (below what was spent, the offer stops giving) or removed; what was spent stays counted. A budget added counts from the edit. A per-customer limit may change or go, but not be added to an offer that has none. An archived offer does not change (409 OFFERS_ARCHIVED). The till applies the edit at once in this process, and within a few seconds in the others; receipts committed before keep what they were given.',
      params: OfferIdParams,
      body: UpdateOfferBody,
      response: { 200: Offer },
    },
    handler: async (req) => {
      const p = await program();
      return updateOffer(database, req.params.id, req.body, p.currency, p.groups, actorOf(req));
    },
  });
  r.post('/api/v1/offers/:id/archive', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Archive an offer: it stops applying', params: OfferIdParams, response: { 200: Offer } },
    handler: async (req) => archiveOffer(database, req.params.id, (await program()).currency, actorOf(req)),
  });
  r.get('/api/v1/offers/:id/changes', {
    config: { roles: ['admin', 'analyst'] },
    schema: {
      tags,
      summary: "An offer's making, edits and archiving, newest first: when, who, and each field's value before and after",
      params: OfferIdParams,
      response: { 200: OfferChangeList },
    },
    handler: async (req) => ({ changes: await listOfferChanges(database, req.params.id) }),
  });
}

/** The API key or console user making a change, for the offer's history. */
function actorOf(req: FastifyRequest): Actor {
  return req.principal ? { id: req.principal.keyId, name: req.principal.name } : null;
}
