/** Customers: identities, personal fields, consents, merge and erasure. */
export {
  /** Creates a customer with at least one identity; CUSTOMERS_IDENTITY_TAKEN when one is held by another customer. */
  createCustomer,
  /** The same inside the caller's transaction; returns the new id. */
  createCustomerInTx,
  /** Changes personal fields, adds or removes identities, records consents. */
  updateCustomer,
  /** The customer DTO, or CUSTOMERS_NOT_FOUND. */
  getCustomer,
  /** Customer DTOs for many ids at once (missing ids are left out). */
  findCustomerDtos,
  /** The customer holding an identity, or CUSTOMERS_NOT_FOUND. */
  lookupCustomer,
  /** The id of the customer holding an identity, if any. */
  findCustomerIdByIdentity,
  /** The till's view (id, birth date) of the customer holding an identity, if any: one statement. */
  findTillCustomers,
  /** The customer holding an identity, or a new one registered with it, in the caller's transaction. */
  findOrCreateByIdentity,
  /** Adds an identity to a customer in the caller's transaction. */
  attachIdentity,
  /** Search by identity prefix or name. */
  searchCustomers,
  /** The customer side of a merge, inside the caller's transaction. */
  mergeCustomersInTx,
  /** Erasure on request. */
  eraseCustomer,
  /** Bulk: maps the retailer's own ids to customer ids, creating missing customers (set-based). */
  resolveExternalIds,
  /** Bulk: the same for identities of any one kind, their values normalized (cards issued in bulk). */
  resolveIdentities,
  /** Bulk: one identity added to each of many customers, in the caller's transaction. */
  attachIdentities,
  /** Bulk: who holds each of these identities of one kind. */
  identityOwners,
  /** Customers that are not merged away. */
  countCustomers,
  /** A page of ids of customers not merged away, in id order after a given id (pass '' to start): whole-population passes. */
  customerIdsAfter,
} from './customers.service.ts';
/** Identity kinds, normalization and the anonymous walk-in id. */
export { IDENTITY_KINDS, CONSENT_CHANNELS, normalizeIdentity, anonymousCustomerId, isAnonymousCustomerId } from './domain/identity.ts';
export type { IdentityKind, ConsentChannel } from './domain/identity.ts';
/** Request and response schemas, shared with the console. */
export * as customerContracts from './customers.contract.ts';
export type { Customer } from './customers.contract.ts';
/** HTTP routes of the module, and the helper that masks or audits personal data for the caller's role. */
export { registerCustomerRoutes, presentOne as presentCustomer } from './customers.routes.ts';
