import type { Database, Queryable } from '../../platform/db/client.ts';
import { checkIsoDate } from '../../platform/dates.ts';
import { AppError } from '../../platform/errors.ts';
import * as sales from '../sales/index.ts';
import { currencyExponent } from '../../platform/money.ts';
import * as repo from './analytics.repository.ts';
import {
  bgNbdConditionalExpectedTransactions,
  bgNbdExpectedCohortTransactions,
  bgNbdProbabilityAlive,
  customerLifetimeValue,
  fitBgNbd,
  fitGammaGamma,
  fitParetoNbd,
  gammaGammaExpectedSpend,
  paretoNbdConditionalExpectedTransactions,
  paretoNbdProbabilityAlive,
  unitDays,
  type BgNbdParams,
  type GammaGammaParams,
  type ParetoNbdParams,
  type Rfm,
  type TimeUnit,
} from './domain/clv/index.ts';

export const MODELS = ['bgnbd', 'pareto-nbd', 'gamma-gamma'] as const;
export type ModelName = (typeof MODELS)[number];
export type FrequencyModel = Exclude<ModelName, 'gamma-gamma'>;

function checkModel(model: string): ModelName {
  if (!(MODELS as readonly string[]).includes(model)) {
    throw new AppError('VALIDATION_FAILED', `model: '${model}' is not one of ${MODELS.join(', ')}.`, { fields: [{ field: 'model', message: 'unknown model' }] });
  }
  return model as ModelName;
}

async function window(q: Queryable, calibrationEnd: string, unit: TimeUnit, currency?: string, holdoutEnd?: string): Promise<repo.Window> {
  checkIsoDate(calibrationEnd, 'calibrationEnd');
  if (holdoutEnd !== undefined) {
    checkIsoDate(holdoutEnd, 'holdoutEnd');
    if (holdoutEnd <= calibrationEnd) {
      throw new AppError('VALIDATION_FAILED', `holdoutEnd (${holdoutEnd}) must be after calibrationEnd (${calibrationEnd}).`, {
        fields: [{ field: 'holdoutEnd', message: 'not after calibrationEnd' }],
      });
    }
  }
  const cur = currency ?? (await sales.mainCurrency(q, calibrationEnd));
  if (!cur) {
    throw new AppError('ANALYTICS_EMPTY_CALIBRATION', `No purchases on or before ${calibrationEnd}: the calibration period is empty.`, { calibrationEnd });
  }
  return { currency: cur, calibrationEnd, holdoutEnd, unitDays: unitDays(unit) };
}

const toMajor = (minor: number, currency: string) => minor / 10 ** currencyExponent(currency);

export type FitResult = {
  fitId: number;
  model: ModelName;
  calibrationEnd: string;
  unit: TimeUnit;
  currency: string;
  params: Record<string, number>;
  logLikelihood: number;
  customers: number;
  patterns: number;
  iterations: number;
  seconds: number;
};

/**
 * Fits a model by maximum likelihood on the calibration period (everything up to and including `calibrationEnd`),
 * over the distinct patterns computed in SQL, and stores the fit. Spend (Gamma-Gamma) is in the currency's major unit.
 */
export async function fitModel(database: Database, opts: { model: string; calibrationEnd: string; unit: TimeUnit; currency?: string }): Promise<FitResult> {
  const started = Date.now();
  const model = checkModel(opts.model);
  const w = await window(database, opts.calibrationEnd, opts.unit, opts.currency);
  let params: Record<string, number>;
  let ll: number;
  let iterations: number;
  let customers: number;
  let patterns: number;
  if (model === 'gamma-gamma') {
    const sp = await repo.spendPatterns(database, w);
    const fit = fitGammaGamma(sp.map((s) => ({ x: s.x, zbar: toMajor(s.zbarMinor, w.currency), count: s.count })));
    ({ logLikelihood: ll, iterations } = fit);
    params = { ...fit.params };
    customers = sp.reduce((s, p) => s + p.count, 0);
    patterns = sp.length;
  } else {
    const pats = await repo.frequencyPatterns(database, w);
    const fit = model === 'bgnbd' ? fitBgNbd(pats) : fitParetoNbd(pats);
    ({ logLikelihood: ll, iterations } = fit);
    params = { ...fit.params };
    customers = pats.reduce((s, p) => s + p.count, 0);
    patterns = pats.length;
  }
  const row = await repo.insertFit(database, { model, calibrationEnd: w.calibrationEnd, unit: opts.unit, currency: w.currency, params, logLikelihood: ll, customers, iterations });
  return {
    fitId: row.id,
    model,
    calibrationEnd: w.calibrationEnd,
    unit: opts.unit,
    currency: w.currency,
    params,
    logLikelihood: ll,
    customers,
    patterns,
    iterations,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The latest fit of the model, or a new one when a calibration end is given and none matches. */
async function fitFor(database: Database, model: ModelName, unit: TimeUnit, calibrationEnd?: string, currency?: string): Promise<repo.FitRow> {
  const found = await repo.latestFit(database, model, unit, calibrationEnd);
  if (found && (!currency || found.currency === currency)) return found;
  if (!calibrationEnd) {
    throw new AppError('ANALYTICS_NO_FIT', `No ${model} fit in ${unit}s yet: run \`patron clv fit --model ${model} --calibration-end DATE --unit ${unit}\` first, or give a calibration end.`, {
      model,
      unit,
    });
  }
  const f = await fitModel(database, { model, calibrationEnd, unit, currency });
  return (await repo.latestFit(database, model, unit, f.calibrationEnd))!;
}

function frequencyFunctions(model: FrequencyModel, params: Record<string, number>) {
  if (model === 'bgnbd') {
    const p = params as BgNbdParams;
    return { expected: (t: number, c: Rfm) => bgNbdConditionalExpectedTransactions(p, t, c), alive: (c: Rfm) => bgNbdProbabilityAlive(p, c) };
  }
  const p = params as ParetoNbdParams;
  return { expected: (t: number, c: Rfm) => paretoNbdConditionalExpectedTransactions(p, t, c), alive: (c: Rfm) => paretoNbdProbabilityAlive(p, c) };
}

export type Prediction = {
  customerId: string;
  model: FrequencyModel;
  fitId: number;
  calibrationEnd: string;
  unit: TimeUnit;
  horizon: number;
  history: { x: number; tx: number; T: number; meanRepeatSpend: number };
  expectedPurchases: number;
  pAlive: number;
  expectedSpend: number | null;
  clv: number | null;
  currency: string;
  margin: number;
  discountRate: number;
};

export type ValueOptions = { horizon: number; margin?: number; discountRate?: number };

function checkValueOptions(o: ValueOptions): Required<ValueOptions> {
  const margin = o.margin ?? 1;
  const discountRate = o.discountRate ?? 0;
  const bad: [string, string] | undefined = !(Number.isInteger(o.horizon) && o.horizon >= 1)
    ? ['horizon', 'must be a whole number of units ≥ 1']
    : !(margin >= 0 && margin <= 1)
      ? ['margin', 'must lie in [0, 1]']
      : !(discountRate >= 0 && discountRate < 1)
        ? ['discountRate', 'must lie in [0, 1) per unit']
        : undefined;
  if (bad) throw new AppError('VALIDATION_FAILED', `${bad[0]} ${bad[1]}.`, { fields: [{ field: bad[0], message: bad[1] }] });
  return { horizon: o.horizon, margin, discountRate };
}

/**
 * One customer's expected purchases over the horizon, P(alive), expected spend per purchase (Gamma-Gamma) and CLV,
 * from the customer's history up to the fit's calibration end. CLV = Σ over the horizon's units of the expected
 * purchases in that unit × expected spend × margin, discounted per unit.
 */
export async function predictCustomer(
  database: Database,
  opts: { model: string; customerId: string; unit: TimeUnit; calibrationEnd?: string } & ValueOptions,
): Promise<Prediction> {
  const model = checkModel(opts.model);
  if (model === 'gamma-gamma') {
    throw new AppError('VALIDATION_FAILED', 'model: predictions need a purchase model (bgnbd or pareto-nbd); Gamma-Gamma supplies the spend.', {
      fields: [{ field: 'model', message: 'not a purchase model' }],
    });
  }
  const v = checkValueOptions(opts);
  const fit = await fitFor(database, model, opts.unit, opts.calibrationEnd);
  const w: repo.Window = { currency: fit.currency, calibrationEnd: fit.calibrationEnd, unitDays: unitDays(opts.unit) };
  const s = await repo.customerSummary(database, w, opts.customerId);
  if (!s) {
    throw new AppError('ANALYTICS_NO_HISTORY', `Customer ${opts.customerId} has no purchase on or before ${fit.calibrationEnd}, the calibration end of the fit.`, {
      customerId: opts.customerId,
      calibrationEnd: fit.calibrationEnd,
    });
  }
  const f = frequencyFunctions(model, fit.params);
  const rfm = { x: s.x, tx: s.tx, T: s.T };
  const spendFit = await repo.latestFit(database, 'gamma-gamma', opts.unit, fit.calibrationEnd).then(
    (found) => found ?? fitFor(database, 'gamma-gamma', opts.unit, fit.calibrationEnd, fit.currency).catch(() => undefined),
  );
  const zbar = toMajor(s.zbarMinor, fit.currency);
  const expectedSpend = spendFit ? gammaGammaExpectedSpend(spendFit.params as GammaGammaParams, { x: s.x, zbar }) : null;
  const clv =
    expectedSpend === null
      ? null
      : customerLifetimeValue((t) => f.expected(t, rfm), expectedSpend, { periods: v.horizon, margin: v.margin, discountRate: v.discountRate });
  return {
    customerId: opts.customerId,
    model,
    fitId: fit.id,
    calibrationEnd: fit.calibrationEnd,
    unit: opts.unit,
    horizon: v.horizon,
    history: { x: s.x, tx: s.tx, T: s.T, meanRepeatSpend: zbar },
    expectedPurchases: f.expected(v.horizon, rfm),
    pAlive: f.alive(rfm),
    expectedSpend,
    clv,
    currency: fit.currency,
    margin: v.margin,
    discountRate: v.discountRate,
  };
}

export type FitReport = {
  calibrationEnd: string;
  holdoutEnd: string;
  unit: TimeUnit;
  currency: string;
  holdoutLength: number;
  fits: { model: FrequencyModel; params: Record<string, number>; logLikelihood: number }[];
  /** Mean holdout repeat purchases by calibration frequency (the last row is "7+"), actual and per model. */
  byFrequency: { x: string; customers: number; actual: number; bgnbd: number; paretoNbd: number }[];
  /** Repeat purchases of the cohort per unit since its first purchase day: actual and BG/NBD expected. */
  tracking: { period: number; actual: number; expected: number; cumulativeActual: number; cumulativeExpected: number }[];
};

/**
 * Fit quality on a calibration/holdout split: both purchase models are fitted on the calibration period; each
 * customer's conditional expectation over the holdout is averaged by calibration frequency and set against the
 * actual holdout purchases; and the cohort's expected repeat purchases per unit are tracked against the actual ones.
 */
export async function fitReport(database: Database, opts: { calibrationEnd: string; holdoutEnd: string; unit: TimeUnit; currency?: string; censorAt?: number }): Promise<FitReport> {
  const w = await window(database, opts.calibrationEnd, opts.unit, opts.currency, opts.holdoutEnd);
  const censor = opts.censorAt ?? 7;
  const pats = await repo.frequencyPatterns(database, w);
  const bg = fitBgNbd(pats);
  const pn = fitParetoNbd(pats);
  const holdoutLength = (Date.parse(opts.holdoutEnd) - Date.parse(opts.calibrationEnd)) / 86_400_000 / w.unitDays;
  const rows = await repo.holdoutByFrequency(database, w);
  const groups = new Map<number, { customers: number; actual: number; bg: number; pn: number }>();
  for (const r of rows) {
    const key = Math.min(r.x, censor);
    const g = groups.get(key) ?? { customers: 0, actual: 0, bg: 0, pn: 0 };
    g.customers += r.count;
    g.actual += r.holdoutX;
    g.bg += r.count * bgNbdConditionalExpectedTransactions(bg.params, holdoutLength, r);
    g.pn += r.count * paretoNbdConditionalExpectedTransactions(pn.params, holdoutLength, r);
    groups.set(key, g);
  }
  const byFrequency = [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([x, g]) => ({ x: x === censor ? `${censor}+` : String(x), customers: g.customers, actual: g.actual / g.customers, bgnbd: g.bg / g.customers, paretoNbd: g.pn / g.customers }));

  const origin = (await repo.earliestPurchase(database, w.currency))!;
  const originDay = Date.parse(origin) / 86_400_000;
  const calDay = Date.parse(opts.calibrationEnd) / 86_400_000;
  const holdDay = Date.parse(opts.holdoutEnd) / 86_400_000;
  // Customers' T measured from the origin: birth = originT − T, in units.
  const originT = (calDay - originDay) / w.unitDays;
  const periods = Math.floor((holdDay - originDay + 1) / w.unitDays);
  const forecast = bgNbdExpectedCohortTransactions(bg.params, pats, { periods, originT });
  const actual = await repo.actualRepeatsByPeriod(database, { ...w, origin });
  const actualBy = new Map(actual.map((a) => [a.period, a.repeats]));
  let cumA = 0;
  const tracking = forecast.incremental.map((e, i) => {
    const a = actualBy.get(i + 1) ?? 0;
    cumA += a;
    return { period: i + 1, actual: a, expected: e, cumulativeActual: cumA, cumulativeExpected: forecast.cumulative[i]! };
  });
  return {
    calibrationEnd: opts.calibrationEnd,
    holdoutEnd: opts.holdoutEnd,
    unit: opts.unit,
    currency: w.currency,
    holdoutLength,
    fits: [
      { model: 'bgnbd', params: { ...bg.params }, logLikelihood: bg.logLikelihood },
      { model: 'pareto-nbd', params: { ...pn.params }, logLikelihood: pn.logLikelihood },
    ],
    byFrequency,
    tracking,
  };
}

/**
 * Computes and stores every customer's values for the latest fit of a purchase model: expected purchases over the
 * horizon, P(alive), expected spend and CLV. Values depend only on (x, t_x, T, mean spend), so each distinct history
 * is computed once; rows are written with COPY in batches.
 */
export async function refreshValues(
  database: Database,
  opts: { model: string; unit: TimeUnit; calibrationEnd?: string } & ValueOptions,
): Promise<{ fitId: number; customers: number; seconds: number; totalClv: number | null; currency: string }> {
  const started = Date.now();
  const model = checkModel(opts.model);
  if (model === 'gamma-gamma') throw new AppError('VALIDATION_FAILED', 'model: choose a purchase model (bgnbd or pareto-nbd).', { fields: [{ field: 'model', message: 'not a purchase model' }] });
  const v = checkValueOptions(opts);
  const fit = await fitFor(database, model, opts.unit, opts.calibrationEnd);
  const spendFit = (await repo.latestFit(database, 'gamma-gamma', opts.unit, fit.calibrationEnd)) ?? (await fitFor(database, 'gamma-gamma', opts.unit, fit.calibrationEnd, fit.currency).catch(() => undefined));
  const w: repo.Window = { currency: fit.currency, calibrationEnd: fit.calibrationEnd, unitDays: unitDays(opts.unit) };
  const summaries = await repo.customerSummaries(database, w);
  const f = frequencyFunctions(model, fit.params);
  const exp = 10 ** currencyExponent(fit.currency);
  const cache = new Map<string, [number, number, number | null, number | null]>();
  const rows: repo.ValueRow[] = [];
  let total = 0;
  for (const s of summaries) {
    const key = `${s.x}|${s.tx}|${s.T}|${s.zbarMinor}`;
    let val = cache.get(key);
    if (!val) {
      const rfm = { x: s.x, tx: s.tx, T: s.T };
      const spend = spendFit ? gammaGammaExpectedSpend(spendFit.params as GammaGammaParams, { x: s.x, zbar: s.zbarMinor / exp }) : null;
      const clv = spend === null ? null : customerLifetimeValue((t) => f.expected(t, rfm), spend, { periods: v.horizon, margin: v.margin, discountRate: v.discountRate });
      val = [f.expected(v.horizon, rfm), f.alive(rfm), spend === null ? null : Math.round(spend * exp), clv === null ? null : Math.round(clv * exp)];
      cache.set(key, val);
    }
    if (val[3] !== null) total += val[3];
    rows.push([s.customerId, fit.id, spendFit?.id ?? null, v.horizon, opts.unit, s.x, s.tx, s.T, val[0], val[1], val[2], val[3], fit.currency]);
  }
  await database.transaction((tx) => repo.writeValues(tx, fit.id, rows));
  return { fitId: fit.id, customers: rows.length, seconds: (Date.now() - started) / 1000, totalClv: spendFit ? total / exp : null, currency: fit.currency };
}

export async function customerValues(q: Queryable, customerId: string) {
  return repo.valuesOfCustomer(q, customerId);
}

export async function valueOverview(database: Database, opts: { model: string; unit: TimeUnit; limit: number; buckets: number }) {
  const model = checkModel(opts.model);
  const fit = await repo.latestFit(database, model, opts.unit);
  if (!fit) throw new AppError('ANALYTICS_NO_FIT', `No ${model} fit in ${opts.unit}s yet.`, { model });
  const [top, histogram] = await Promise.all([repo.topValues(database, fit.id, opts.limit), repo.clvHistogram(database, fit.id, opts.buckets)]);
  return { fit, top, histogram };
}
