/**
 * Analytics: customer-value models (BG/NBD, Pareto/NBD, Gamma-Gamma) as pure functions over transaction summaries.
 * Each export is documented where it is defined, in domain/clv/.
 */
export * from './domain/clv/index.ts';
/** Fitting, predicting, reporting and storing customer values against the database. */
export { fitModel, predictCustomer, fitReport, refreshValues, customerValues, valueOverview, MODELS } from './analytics.service.ts';
export type { FitResult, Prediction, FitReport } from './analytics.service.ts';
/** HTTP routes of the module, and its request and response schemas. */
export { registerAnalyticsRoutes } from './analytics.routes.ts';
export * as analyticsContracts from './analytics.contract.ts';
