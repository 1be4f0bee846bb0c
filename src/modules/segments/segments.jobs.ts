import { z } from 'zod';
import { defineJob } from '../../platform/jobs/index.ts';
import { refreshSegments } from './segments.service.ts';

const isCalendarDate = (v: string) => {
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

export const refreshPayload = z
  .object({
    asOf: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
      .refine(isCalendarDate, 'not a calendar date')
      .optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code such as GBP')
      .optional(),
    net: z.boolean().optional(),
  })
  // A misspelt key ("as_of") must not silently refresh today instead of the date meant.
  .strict();

/**
 * Places every customer on the R×F grid as of a date, set-based (see refreshSegments). Without `asOf`, the date is
 * today in UTC at the time the job runs, so the daily schedule refreshes the current day rather than a fixed one.
 */
export const refreshSegmentsJob = defineJob({
  name: 'segments.refresh',
  description: 'Place every customer on the R×F grid as of a date (default: today, UTC), with RFM scores and segments',
  payload: refreshPayload,
  schedule: { cron: '30 2 * * *', payload: {} },
  async handler(ctx, p) {
    const asOf = p.asOf ?? new Date().toISOString().slice(0, 10);
    const r = await refreshSegments(ctx.database, { asOf, currency: p.currency, net: p.net });
    return { asOf: r.asOf, currency: r.currency, net: r.net, customers: r.customers, gridVersion: r.grid.version, seconds: r.seconds };
  },
});

/** Every job of the module, for the composition roots to register. */
export const segmentJobs = [refreshSegmentsJob];
