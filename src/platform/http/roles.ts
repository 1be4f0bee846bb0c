/**
 * The roles of API keys and console users. Kept free of imports so that contracts, which the web console bundles,
 * can use it.
 */
export const ROLES = ['admin', 'analyst', 'till', 'agent', 'partner'] as const;
export type Role = (typeof ROLES)[number];
