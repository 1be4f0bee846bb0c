import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { audit } from '../../platform/http/app.ts';
import * as c from './campaigns.contract.ts';
import * as delivery from './campaigns.delivery.ts';
import * as service from './campaigns.service.ts';

const tags = ['campaigns'];
const readers = ['admin', 'analyst'] as const;
const Name = z.object({ name: z.string().min(1) });

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

export function registerCampaignRoutes(app: FastifyInstance, database: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/campaigns', {
    config: { roles: ['admin'] },
    schema: {
      tags,
      summary:
        'Create a campaign from its definition: audience, channels, template, offers, control share, money, webhook; one variant per segment × offer × channel',
      body: z.record(z.string(), z.unknown()),
      response: { 201: c.CampaignDetail },
    },
    handler: async (req, reply) => reply.code(201).send(await service.createCampaign(database, req.body)),
  });

  r.get('/api/v1/campaigns', {
    config: { roles: readers },
    schema: { tags, summary: 'Every campaign, newest first', response: { 200: z.object({ campaigns: z.array(c.CampaignDto) }) } },
    handler: async () => ({ campaigns: await service.listCampaigns(database) }),
  });

  r.get('/api/v1/campaigns/:name', {
    config: { roles: readers },
    schema: {
      tags,
      summary: 'A campaign with its variants and, once launched, its audience counts',
      params: Name,
      response: { 200: c.CampaignDetail },
    },
    handler: async (req) => service.getCampaign(database, req.params.name),
  });

  r.post('/api/v1/campaigns/:name/preview', {
    config: { roles: ['admin'] },
    schema: {
      tags,
      summary: "Render a variant with a real customer's data (by default the variant the customer would get)",
      params: Name,
      body: c.PreviewBody,
      response: { 200: c.Preview },
    },
    handler: async (req) => {
      const out = await service.previewCampaign(database, req.params.name, req.body.customerId, req.body.variant);
      await audit(database, req, 'campaigns.preview', [out.customerId]);
      return out;
    },
  });

  r.post('/api/v1/campaigns/:name/launch', {
    config: { roles: ['admin'] },
    schema: {
      tags,
      summary: 'Freeze the audience (treated and control) and write the outbox; the attribution window starts now (or at `at`)',
      params: Name,
      body: c.LaunchBody,
      response: { 200: c.LaunchResult },
    },
    handler: async (req) => service.launchCampaign(database, req.params.name, req.body),
  });

  r.get('/api/v1/campaigns/:name/report', {
    config: { roles: readers },
    schema: {
      tags,
      summary: 'Treated against control: conversion and revenue per customer with 95% intervals, per segment and variant; cost and ROI',
      params: Name,
      response: { 200: c.CampaignReport },
    },
    handler: async (req) => service.campaignReport(database, req.params.name),
  });

  r.get('/api/v1/campaigns/:name/deliveries', {
    config: { roles: readers },
    schema: {
      tags,
      summary: 'The outbox of a campaign: each message’s status, attempts and last error',
      params: Name,
      response: {
        200: z.object({
          deliveries: z.array(
            z.object({
              customerId: z.string(),
              id: z.string(),
              campaignId: z.string(),
              status: z.string(),
              attempts: z.number().int(),
              lastError: z.string().nullable(),
              sentAt: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    handler: async (req) => ({ deliveries: await delivery.campaignDeliveries(database, req.params.name) }),
  });

  // The provider's callback authenticates with the campaign's webhook secret, not an API key: the signature covers
  // the raw body, so this scope keeps it as received.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      req.rawBody = body as string;
      try {
        done(null, body === '' ? {} : JSON.parse(body as string));
      } catch {
        done(new AppError('VALIDATION_FAILED', 'The body is not JSON.', { fields: [{ field: 'body', message: 'not JSON' }] }), undefined);
      }
    });
    scope.withTypeProvider<ZodTypeProvider>().post('/api/v1/campaigns/deliveries/:id/status', {
      schema: {
        tags,
        summary:
          'Delivery status callback (delivered, opened, clicked, failed), signed like the webhook: x-patron-signature: sha256=<HMAC-SHA256 of the raw body>',
        security: [],
        params: z.object({ id: z.string().min(1) }),
        headers: z.object({ 'x-patron-signature': z.string().optional() }).passthrough(),
        body: c.DeliveryStatusBody,
        response: { 200: c.DeliveryStatusResult },
      },
      handler: async (req) =>
        delivery.recordDeliveryStatus(database, req.params.id, {
          body: req.rawBody ?? JSON.stringify(req.body),
          signature: req.headers['x-patron-signature'],
        }),
    });
  });
}
