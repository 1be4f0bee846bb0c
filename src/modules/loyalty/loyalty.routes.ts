import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as customers from '../customers/index.ts';
import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import * as c from './loyalty.contract.ts';
import * as cards from './loyalty.cards.ts';
import * as certificates from './loyalty.certificates.ts';
import * as service from './loyalty.service.ts';

const tags = ['loyalty'];

async function customerOf(database: Database, identity: { kind: customers.IdentityKind; value: string }, field: string): Promise<string> {
  const id = await customers.findCustomerIdByIdentity(database, identity.kind, identity.value);
  if (!id) throw new AppError('CUSTOMERS_NOT_FOUND', `${field}: no customer with ${identity.kind} ${identity.value}.`, { fields: [{ field, message: 'unknown customer' }] });
  return id;
}

export function registerLoyaltyRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/loyalty/program', {
    config: { roles: ['admin', 'analyst', 'agent', 'till'] },
    schema: { tags, summary: 'The program in force (earn, burn, lifecycle, tiers, stacking, ladder) and its version', response: { 200: c.ProgramVersion } },
    handler: async () => {
      const p = await service.findProgramVersion(database);
      if (!p) throw new AppError('LOYALTY_NO_PROGRAM', 'No loyalty program is configured yet.');
      return p;
    },
  });
  r.get('/api/v1/loyalty/program/versions', {
    config: { roles: ['admin', 'analyst', 'agent', 'till'] },
    schema: { tags, summary: "The program's history, newest first: each version's number, note and date, and the one in force", response: { 200: c.ProgramVersionList } },
    handler: async () => ({ versions: await service.listProgramVersions(database) }),
  });
  r.get('/api/v1/loyalty/program/versions/:version', {
    config: { roles: ['admin', 'analyst', 'agent', 'till'] },
    schema: { tags, summary: 'One version of the program, in force or not (a committed receipt names the version that priced it)', params: c.ProgramVersionParams, response: { 200: c.ProgramVersion } },
    handler: async (req) => service.getProgramVersion(database, req.params.version),
  });
  r.put('/api/v1/loyalty/program', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Store a new version of the program and put it in force', body: c.PutProgramBody, response: { 200: c.ProgramVersion } },
    handler: async (req) => service.putProgram(database, req.body.config, req.body.note ?? null),
  });

  r.get('/api/v1/loyalty/liability', {
    config: { roles: ['admin', 'analyst'] },
    schema: {
      tags,
      summary: 'The points liability over the whole UTC days [from, to): points issued, spent, expired and adjusted, all wallets at both ends, expected breakage',
      querystring: c.LiabilityQuery,
      response: { 200: c.Liability },
    },
    handler: async (req) => service.liability(database, new Date(`${req.query.from}T00:00:00Z`), new Date(`${req.query.to}T00:00:00Z`)),
  });
  r.get('/api/v1/loyalty/customers/:id/points', {
    config: { roles: ['admin', 'analyst', 'agent', 'till'] },
    schema: {
      tags,
      summary: "A customer's points: active, pending, expiring, and the latest ledger entries of the wallet",
      params: z.object({ id: z.string() }),
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
      response: { 200: c.Balance.extend({ entries: z.array(c.LedgerEntry) }) },
    },
    handler: async (req) => ({ ...(await service.getBalance(database, req.params.id)), entries: await service.ledgerEntries(database, req.params.id, req.query.limit) }),
  });
  r.post('/api/v1/loyalty/adjustments', {
    config: { roles: ['admin', 'agent'] },
    schema: {
      tags,
      summary: 'Credit (goodwill) or debit points by hand; idempotent by key, never overdraws',
      body: c.AdjustmentBody,
      response: { 200: z.object({ transferId: z.string(), replayed: z.boolean(), balance: c.Balance }) },
    },
    handler: async (req) =>
      service.adjust(database, { customerId: await customerOf(database, req.body.customer, 'customer'), points: req.body.points, reason: req.body.reason, idempotencyKey: req.body.idempotencyKey }),
  });

  r.post('/api/v1/loyalty/cards', {
    config: { roles: ['admin', 'till', 'agent'] },
    schema: { tags, summary: 'Issue a card, bound to a customer (a new one for an unknown identity)', body: c.IssueCardBody, response: { 201: c.Card } },
    handler: async (req, reply) => reply.code(201).send(await cards.issueCard(database, req.body.number, req.body.customer)),
  });
  r.get('/api/v1/loyalty/cards/:number', {
    config: { roles: ['admin', 'till', 'agent'] },
    schema: { tags, summary: 'A card and its status', params: z.object({ number: z.string() }), response: { 200: c.Card } },
    handler: async (req) => cards.getCard(database, req.params.number),
  });
  r.post('/api/v1/loyalty/cards/:number/block', {
    config: { roles: ['admin', 'agent'] },
    schema: { tags, summary: 'Block a lost or stolen card (the points stay with the customer)', params: z.object({ number: z.string() }), response: { 200: c.Card } },
    handler: async (req) => cards.blockCard(database, req.params.number),
  });
  r.post('/api/v1/loyalty/cards/:number/replace', {
    config: { roles: ['admin', 'agent', 'till'] },
    schema: { tags, summary: 'Replace a card by a new number; the balance follows', params: z.object({ number: z.string() }), body: c.ReplaceCardBody, response: { 201: c.Card } },
    handler: async (req, reply) => reply.code(201).send(await cards.replaceCard(database, req.params.number, req.body.newNumber)),
  });
  r.post('/api/v1/loyalty/households', {
    config: { roles: ['admin', 'agent'] },
    schema: {
      tags,
      summary: "Add a member to the owner's household: their points pool in the owner's wallet",
      body: c.HouseholdBody,
      response: { 200: z.object({ owner: z.string(), members: z.array(z.string()), moved: z.number().int() }) },
    },
    handler: async (req) => cards.joinHousehold(database, await customerOf(database, req.body.owner, 'owner'), await customerOf(database, req.body.member, 'member')),
  });

  r.post('/api/v1/loyalty/certificates', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Issue a gift certificate (face value, categories, expiry)', body: c.IssueCertificateBody, response: { 201: c.Certificate } },
    handler: async (req, reply) => reply.code(201).send(await certificates.issueCertificate(database, req.body)),
  });
  r.get('/api/v1/loyalty/certificates/:code', {
    config: { roles: ['admin', 'till', 'agent'] },
    schema: { tags, summary: 'A certificate and what is left of it', params: z.object({ code: z.string() }), response: { 200: c.Certificate } },
    handler: async (req) => certificates.getCertificate(database, req.params.code),
  });

  r.post('/api/v1/loyalty/partners', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'Add a coalition partner: its stores, earn rate, issue cost and burn value', body: c.PartnerBody, response: { 201: c.PartnerBody.omit({ issueCost: true, burnValue: true }).extend({ issueCost: z.string(), burnValue: z.string() }) } },
    handler: async (req, reply) => reply.code(201).send(await certificates.createPartner(database, req.body, (await service.getProgram(database)).config.currency)),
  });
  r.get('/api/v1/loyalty/partners/settlement', {
    config: { roles: ['admin', 'analyst', 'partner'] },
    schema: { tags, summary: 'Who owes whom for a period: points issued and burned at each partner, at their rates', querystring: c.SettlementQuery, response: { 200: c.Settlement } },
    handler: async (req) => certificates.settlement(database, req.query.from, req.query.to),
  });
}
