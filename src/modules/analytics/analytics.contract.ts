import { z } from 'zod';

export const Unit = z.enum(['day', 'week']);
export const Model = z.enum(['bgnbd', 'pareto-nbd', 'gamma-gamma']);
export const PurchaseModel = z.enum(['bgnbd', 'pareto-nbd']);
const IsoDate = z.iso.date();
const Params = z.record(z.string(), z.number());

export const FitBody = z.object({ model: Model, calibrationEnd: IsoDate, unit: Unit.default('week'), currency: z.string().regex(/^[A-Z]{3}$/).optional() }).strict();

export const FitResult = z.object({
  fitId: z.number().int(),
  model: Model,
  calibrationEnd: z.string(),
  unit: Unit,
  currency: z.string(),
  params: Params,
  logLikelihood: z.number(),
  customers: z.number().int(),
  patterns: z.number().int(),
  iterations: z.number().int(),
  seconds: z.number(),
});

export const ReportQuery = z.object({ calibrationEnd: IsoDate, holdoutEnd: IsoDate, unit: Unit.default('week'), currency: z.string().regex(/^[A-Z]{3}$/).optional() });

export const FitReport = z.object({
  calibrationEnd: z.string(),
  holdoutEnd: z.string(),
  unit: Unit,
  currency: z.string(),
  holdoutLength: z.number(),
  fits: z.array(z.object({ model: PurchaseModel, params: Params, logLikelihood: z.number() })),
  byFrequency: z.array(z.object({ x: z.string(), customers: z.number().int(), actual: z.number(), bgnbd: z.number(), paretoNbd: z.number() })),
  tracking: z.array(z.object({ period: z.number().int(), actual: z.number(), expected: z.number(), cumulativeActual: z.number(), cumulativeExpected: z.number() })),
});

export const ValueQuery = z.object({
  model: PurchaseModel.default('bgnbd'),
  horizon: z.coerce.number().int().min(1).max(520).default(52),
  unit: Unit.default('week'),
  calibrationEnd: IsoDate.optional(),
  margin: z.coerce.number().min(0).max(1).optional(),
  discountRate: z.coerce.number().min(0).lt(1).optional(),
});

export const Prediction = z.object({
  customerId: z.string(),
  model: PurchaseModel,
  fitId: z.number().int(),
  calibrationEnd: z.string(),
  unit: Unit,
  horizon: z.number(),
  history: z.object({ x: z.number().int(), tx: z.number(), T: z.number(), meanRepeatSpend: z.number() }),
  expectedPurchases: z.number(),
  pAlive: z.number(),
  expectedSpend: z.number().nullable(),
  clv: z.number().nullable(),
  currency: z.string(),
  margin: z.number(),
  discountRate: z.number(),
});

export const RefreshBody = z
  .object({
    model: PurchaseModel.default('bgnbd'),
    unit: Unit.default('week'),
    horizon: z.number().int().min(1).max(520).default(52),
    calibrationEnd: IsoDate.optional(),
    margin: z.number().min(0).max(1).optional(),
    discountRate: z.number().min(0).lt(1).optional(),
  })
  .strict();

export const RefreshResult = z.object({ fitId: z.number().int(), customers: z.number().int(), seconds: z.number(), totalClv: z.number().nullable(), currency: z.string() });

export const CustomerValue = z.object({
  customerId: z.string(),
  fitId: z.number().int(),
  model: z.string(),
  calibrationEnd: z.string(),
  horizon: z.number(),
  unit: z.string(),
  expectedPurchases: z.number(),
  pAlive: z.number(),
  expectedSpendMinor: z.number().nullable(),
  clvMinor: z.number().nullable(),
  currency: z.string(),
  computedAt: z.string(),
});

export const OverviewQuery = z.object({
  model: PurchaseModel.default('bgnbd'),
  unit: Unit.default('week'),
  limit: z.coerce.number().int().min(1).max(500).default(20),
  buckets: z.coerce.number().int().min(2).max(100).default(20),
});

export const Overview = z.object({
  fit: z.object({ id: z.number().int(), model: z.string(), calibrationEnd: z.string(), unit: z.string(), currency: z.string(), params: Params, logLikelihood: z.number(), customers: z.number().int() }),
  top: z.array(CustomerValue),
  histogram: z.array(z.object({ bucket: z.number().int(), lowMinor: z.number(), highMinor: z.number(), customers: z.number().int() })),
});
