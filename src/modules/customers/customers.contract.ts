import { z } from 'zod';
import { CONSENT_CHANNELS, IDENTITY_KINDS } from './domain/identity.ts';

export const IdentityKindSchema = z.enum(IDENTITY_KINDS);
export const ConsentChannelSchema = z.enum(CONSENT_CHANNELS);

export const IdentityInput = z.object({
  kind: IdentityKindSchema,
  value: z.string().min(1).max(256),
});

export const ConsentInput = z.object({
  channel: ConsentChannelSchema,
  granted: z.boolean(),
  /** Where the consent was given: "till:S001", "web", "call-centre". */
  source: z.string().min(1).max(100),
  givenAt: z.iso.datetime({ offset: true }).optional(),
});

const PersonalFields = {
  fullName: z.string().min(1).max(200).nullable().optional(),
  birthDate: z.iso.date().nullable().optional(),
  gender: z.enum(['female', 'male', 'other']).nullable().optional(),
  country: z.string().min(1).max(100).nullable().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
};

export const CreateCustomerBody = z
  .object({
    ...PersonalFields,
    identities: z.array(IdentityInput).min(1).max(20),
    consents: z.array(ConsentInput).max(10).optional(),
  })
  .strict();
export type CreateCustomerBody = z.infer<typeof CreateCustomerBody>;

export const UpdateCustomerBody = z
  .object({
    ...PersonalFields,
    addIdentities: z.array(IdentityInput).max(20).optional(),
    removeIdentities: z.array(IdentityInput).max(20).optional(),
    consents: z.array(ConsentInput).max(10).optional(),
  })
  .strict();
export type UpdateCustomerBody = z.infer<typeof UpdateCustomerBody>;

export const Identity = z.object({ kind: IdentityKindSchema, value: z.string() });

export const Consent = z.object({
  channel: ConsentChannelSchema,
  granted: z.boolean(),
  source: z.string(),
  givenAt: z.string(),
});

export const Customer = z.object({
  id: z.string(),
  status: z.enum(['active', 'merged', 'erased']),
  mergedInto: z.string().nullable(),
  fullName: z.string().nullable(),
  birthDate: z.string().nullable(),
  gender: z.string().nullable(),
  country: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  identities: z.array(Identity),
  consents: z.array(Consent),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Customer = z.infer<typeof Customer>;

export const CustomerIdParams = z.object({ id: z.string().regex(/^cus_[0-9a-z]{26}$/, 'a customer id (cus_…)') });

export const LookupQuery = z.object({ kind: IdentityKindSchema, value: z.string().min(1).max(256) });

export const SearchQuery = z.object({
  q: z.string().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const CustomerList = z.object({ customers: z.array(Customer) });

export const MergeBody = z.object({ from: z.string().regex(/^cus_[0-9a-z]{26}$/, 'a customer id (cus_…)') }).strict();
