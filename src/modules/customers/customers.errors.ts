import { AppError } from '../../platform/errors.ts';
import type { IdentityRow } from './customers.repository.ts';

export function customerNotFound(what: string): AppError {
  return new AppError('CUSTOMERS_NOT_FOUND', `No customer ${what}.`);
}

export function identityTaken(taken: readonly IdentityRow[]): AppError {
  return new AppError(
    'CUSTOMERS_IDENTITY_TAKEN',
    `Identity ${taken.map((t) => `${t.kind} ${t.value}`).join(', ')} already belongs to another customer.`,
    { fields: taken.map((t) => ({ field: `identities.${t.kind}`, message: 'already belongs to another customer' })), customerIds: [...new Set(taken.map((t) => t.customerId))] },
  );
}
