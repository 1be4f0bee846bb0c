import { z } from 'zod';
import * as segments from '../segments/index.ts';
import { defineJob } from '../../platform/jobs/index.ts';
import { activateDue, evaluateTiers, expireDue, refreshCellPriors } from './loyalty.service.ts';

const at = z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict();
const when = (p: { at?: string | undefined }) => (p.at ? new Date(p.at) : new Date());

/** Lots whose pending period is over become spendable. */
export const activateJob = defineJob({
  name: 'loyalty.activate',
  description: 'Activate points whose pending period is over (default: now)',
  payload: at,
  schedule: { cron: '*/15 * * * *', payload: {} },
  handler: async (ctx, p) => activateDue(ctx.database, when(p)),
});

/** What is left in lots past their expiry goes to breakage. */
export const expireJob = defineJob({
  name: 'loyalty.expire',
  description: 'Expire what is left in lots past their date (default: now)',
  payload: at,
  schedule: { cron: '10 3 * * *', payload: {} },
  handler: async (ctx, p) => expireDue(ctx.database, when(p)),
});

/** Every customer's tier from rolling spend; downgrades after the grace period. */
export const tiersJob = defineJob({
  name: 'loyalty.tiers',
  description: 'Re-evaluate every tier on rolling spend (upgrades at once, downgrades after the grace period)',
  payload: at,
  schedule: { cron: '40 3 * * *', payload: {} },
  handler: async (ctx, p) => evaluateTiers(ctx.database, when(p)),
});

/** The sensitivity model's prior: every customer's ladder counts pooled by their current R×F cell. */
export const ladderPriorsJob = defineJob({
  name: 'loyalty.ladder-priors',
  description: "Pool customers' discount-ladder answers by R×F cell (the prior of each customer's sensitivity model)",
  payload: z.object({}).strict(),
  schedule: { cron: '50 3 * * *', payload: {} },
  handler: async (ctx) => {
    const cells = await segments.latestCells(ctx.database);
    const rows = await refreshCellPriors(ctx.database, cells.asOf ?? new Date().toISOString().slice(0, 10), cells);
    return { asOf: cells.asOf, rows };
  },
});

export const loyaltyJobs = [activateJob, expireJob, tiersJob, ladderPriorsJob];
