import { z } from 'zod';
import { defineJob } from '../../platform/jobs/index.ts';
import { deliverDue } from './campaigns.delivery.ts';
import { launchDue, redrawGlobalControl } from './campaigns.service.ts';

/** Posts the due outbox messages to their webhooks, once each per run; failures wait their backoff for a later run. */
export const deliverJob = defineJob({
  name: 'campaigns.deliver',
  description: 'Deliver due campaign messages to their webhooks (HMAC-signed; failures retried with exponential backoff)',
  payload: z.object({ limit: z.number().int().positive().max(1_000_000).optional() }).strict(),
  schedule: { cron: '* * * * *', payload: {} },
  handler: async (ctx, p) => deliverDue(ctx.database, { limit: p.limit, logger: ctx.logger }),
});

/** A new draw of the global control group, so that no customer is left out of every campaign for ever. */
export const redrawGlobalControlJob = defineJob({
  name: 'campaigns.redraw-global-control',
  description: 'Redraw the global control group (a new epoch of the stable hash; default share PATRON_GLOBAL_CONTROL_SHARE)',
  payload: z.object({ share: z.number().min(0).max(0.5).optional() }).strict(),
  schedule: { cron: '0 4 1 */3 *', payload: {} },
  handler: async (ctx, p) => redrawGlobalControl(ctx.database, { share: p.share }),
});

/** Launches draft campaigns whose schedule has started. */
export const launchDueJob = defineJob({
  name: 'campaigns.launch-due',
  description: 'Launch draft campaigns whose schedule.startAt has come (and whose endAt has not passed)',
  payload: z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict(),
  schedule: { cron: '*/5 * * * *', payload: {} },
  handler: async (ctx, p) => launchDue(ctx.database, p.at ? new Date(p.at) : new Date()),
});

/** Every job of the module, for the composition roots to register. */
export const campaignJobs = [deliverJob, redrawGlobalControlJob, launchDueJob];
