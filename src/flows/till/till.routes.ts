import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { canReadPersonalData } from '../../platform/http/app.ts';
import { commitSale, quote } from './commit.ts';
import { returnSale } from './returns.ts';
import { commitBodyOf, issueQuoteToken } from './quote-token.ts';
import { CommitRequest, CommitResponse, QuoteBody, QuoteResponse, ReturnBody, ReturnResponse } from './till.contract.ts';

const tags = ['till'];

/**
 * The quote's and the sale's answers are built to their contract's type and sent as they are: checking them against
 * the schema again on every answer cost a tenth of a commit's CPU. The till's tests check every answer against the
 * contract (test/till.ts), as Fastify's own serializer would not check either.
 */
const asBuilt = () => (data: unknown) => JSON.stringify(data);

/** The till: quote a basket, commit a sale exactly once, return all or part of it. */
export function registerTillRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // A quote writes nothing: the CRM team tries baskets from the console (analyst) and the contact centre answers
  // "why no discount?" (agent). Committing and returning stay with the till.
  r.post('/api/v1/till/quote', {
    config: { roles: ['admin', 'till', 'analyst', 'agent'] },
    schema: {
      tags,
      summary: 'Price a basket: applicable and applied offers, line allocations, the discount ladder, points and certificates',
      description:
        'Reads only. An unknown, blocked or replaced card still gets an answer, as a walk-in, and `customer.reason` says why. Deterministic: the same basket and state give the same answer. `quote.token` commits this basket later without sending it again, priced at the quote’s time.',
      body: QuoteBody,
      response: { 200: QuoteResponse },
    },
    serializerCompiler: asBuilt,
    handler: async (req) => {
      // Priced at times of their choosing, quotes would show a role without personal data when a customer's birthday
      // offer starts and ends: such a role (the console's analyst) prices at the present only.
      if (req.body.at !== undefined && req.principal?.role !== 'till' && !canReadPersonalData(req))
        throw new AppError('AUTH_FORBIDDEN', `at: the ${req.principal?.role} role prices baskets at the present time only.`, {
          fields: [{ field: 'at', message: 'leave it out: only the till and roles with personal data may price at another time' }],
        });
      // The quote's time is fixed here, so that its token can price the sale at the same moment.
      const body = { ...req.body, at: req.body.at ?? new Date().toISOString() };
      const priced = await quote(database, body);
      return Object.assign(priced, { quote: issueQuoteToken(body) });
    },
  });

  r.post('/api/v1/till/receipts', {
    config: { roles: ['admin', 'till'] },
    schema: {
      tags,
      summary: 'Commit a sale: idempotent by store and number; redeems points and certificates, earns points, records the ladder step',
      description:
        'The basket (`store`, `currency`, `lines`, `customer`), or `quote`: a quote’s token, which commits the quoted basket for the quoted customer priced at the quote’s time (400 LOYALTY_QUOTE_INVALID, 422 LOYALTY_QUOTE_EXPIRED). A retry (also a concurrent one) answers 200 with the first answer and `replayed: true`. Redemptions never overdraw: 409 LOYALTY_INSUFFICIENT_POINTS, and nothing is written.',
      body: CommitRequest,
      response: { 200: CommitResponse, 201: CommitResponse },
    },
    serializerCompiler: asBuilt,
    handler: async (req, reply) => {
      const out = await commitSale(database, commitBodyOf(req.body));
      return reply.code(out.replayed ? 200 : 201).send(out);
    },
  });

  r.post('/api/v1/till/returns', {
    config: { roles: ['admin', 'till'] },
    schema: {
      tags,
      summary: 'Return a sale, whole or in part: reverses points earned and redeemed, certificates and discounts in proportion',
      description: 'Idempotent by store and the return’s number. Never returns more than was bought (422 LOYALTY_RETURN_EXCEEDS).',
      body: ReturnBody,
      response: { 200: ReturnResponse, 201: ReturnResponse },
    },
    handler: async (req, reply) => {
      const out = await returnSale(database, req.body);
      return reply.code(out.replayed ? 200 : 201).send(out);
    },
  });
}
