export { summarize, toPatterns, durationBetween, unitDays } from './summary.ts';
export type { Transaction, TimeUnit, SummaryOptions, CustomerSummary, Pattern, PatternLike } from './summary.ts';
export { checkFrequencyData } from './summary.ts';
export { minimizeBfgs, withNumericGradient, maximizeLogLikelihood } from './optimize.ts';
export type { Objective, MinimizeOptions, MinimizeResult, FitOptions, FitDiagnostics } from './optimize.ts';
export {
  bgNbdLogLikelihood,
  bgNbdGradient,
  fitBgNbd,
  bgNbdExpectedTransactions,
  bgNbdProbabilityAlive,
  bgNbdConditionalExpectedTransactions,
  bgNbdExpectedCohortTransactions,
} from './bg-nbd.ts';
export type { BgNbdParams, BgNbdFit, Rfm, CohortForecast } from './bg-nbd.ts';
export { logHyp2f1, logHyp2f1Series } from './hypergeometric.ts';
export {
  paretoNbdLogLikelihood,
  fitParetoNbd,
  paretoNbdProbabilityAlive,
  paretoNbdExpectedTransactions,
  paretoNbdConditionalExpectedTransactions,
} from './pareto-nbd.ts';
export type { ParetoNbdParams, ParetoNbdFit } from './pareto-nbd.ts';
export { toSpendPatterns, gammaGammaLogLikelihood, gammaGammaGradient, fitGammaGamma, gammaGammaExpectedSpend } from './gamma-gamma.ts';
export type { GammaGammaParams, GammaGammaFit, SpendPattern } from './gamma-gamma.ts';
export { customerLifetimeValue } from './clv.ts';
export type { ClvOptions } from './clv.ts';
