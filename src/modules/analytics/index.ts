/**
 * Analytics: customer-value models (BG/NBD, Pareto/NBD, Gamma-Gamma) as pure functions over transaction summaries.
 * Each export is documented where it is defined, in domain/clv/.
 */
export * from './domain/clv/index.ts';
