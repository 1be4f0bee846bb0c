import { z } from 'zod';

export const IsoDate = z.iso.date();

export const RfmQuery = z.object({
  /** Defaults to the day of the latest purchase; the answer says which date it used. */
  asOf: IsoDate.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  net: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  refresh: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

const MeanMedian = z.object({ mean: z.number(), median: z.number() });

export const RfmReport = z.object({
  asOf: z.string(),
  currency: z.string(),
  net: z.boolean(),
  customers: z.number().int(),
  recency: MeanMedian,
  frequency: MeanMedian,
  monetary: MeanMedian,
  returns: z.string(),
  grid: z.object({
    version: z.number().int(),
    method: z.string(),
    recencyEdges: z.array(z.number().int()),
    frequencyEdges: z.array(z.number().int()),
    cells: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        action: z.string(),
        payback: z.string(),
        recencyBand: z.number().int(),
        frequencyBand: z.number().int(),
        customers: z.number().int(),
        share: z.number(),
        revenue: z.string(),
        revenueShare: z.number(),
      }),
    ),
  }),
  rfmSegments: z.array(z.object({ key: z.string(), name: z.string(), customers: z.number().int(), revenue: z.string() })),
});

export const RefreshBody = z
  .object({
    asOf: IsoDate,
    currency: z.string().regex(/^[A-Z]{3}$/).optional(),
    net: z.boolean().optional(),
    gridVersion: z.number().int().positive().optional(),
  })
  .strict();

export const GridVersion = z.object({
  version: z.number().int(),
  recencyEdges: z.array(z.number().int()),
  frequencyEdges: z.array(z.number().int()),
  method: z.string(),
  note: z.string().nullable(),
  createdAt: z.string(),
});

export const RefreshResult = z.object({ asOf: z.string(), currency: z.string(), net: z.boolean(), customers: z.number().int(), grid: GridVersion, seconds: z.number() });

export const SetGridBody = z
  .object({
    recencyEdges: z.array(z.number().int().min(0)).length(2),
    frequencyEdges: z.array(z.number().int().min(1)).length(2),
    note: z.string().max(200).optional(),
  })
  .strict();

export const MigrationQuery = z.object({ from: IsoDate, to: IsoDate });

export const MigrationReport = z.object({
  from: z.string(),
  to: z.string(),
  gridVersions: z.object({ from: z.number().int(), to: z.number().int() }),
  customers: z.object({ from: z.number().int(), to: z.number().int() }),
  moved: z.number().int(),
  matrix: z.array(z.object({ from: z.string(), to: z.string(), customers: z.number().int() })),
});

export const SegmentCustomer = z.object({
  customerId: z.string(),
  asOf: z.string(),
  gridVersion: z.number().int(),
  recencyDays: z.number().int(),
  frequency: z.number().int(),
  monetaryMinor: z.number().int(),
  returnsMinor: z.number().int(),
  currency: z.string(),
  firstPurchaseOn: z.string(),
  cell: z.string(),
  rScore: z.number().int(),
  fScore: z.number().int(),
  mScore: z.number().int(),
  rfmSegment: z.string(),
});

export const SegmentCustomersQuery = z.object({
  asOf: IsoDate,
  cell: z.string().max(40).optional(),
  rfmSegment: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(200).optional(),
});

export const SegmentCustomersPage = z.object({ customers: z.array(SegmentCustomer), nextCursor: z.string().nullable() });
