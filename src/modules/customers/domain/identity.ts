import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** The kinds of external identity a customer can have. Each (kind, value) belongs to at most one customer. */
export const IDENTITY_KINDS = ['card', 'phone', 'email', 'external'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export const CONSENT_CHANNELS = ['email', 'sms', 'push'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Brings an identity to its canonical form, so that " Anna@Example.com" and "anna@example.com" are one key.
 * Returns an error message instead when the value cannot be that kind of identity.
 */
export function normalizeIdentity(kind: IdentityKind, raw: string, phoneCountry = 'GB'): { value: string } | { error: string } {
  const v = raw.trim();
  if (v === '') return { error: 'must not be empty' };
  switch (kind) {
    case 'email': {
      const e = v.toLowerCase();
      return EMAIL_RE.test(e) ? { value: e } : { error: 'is not an e-mail address' };
    }
    case 'phone': {
      // E.164 through libphonenumber: "+7 (916) 555-01-01" and, in Russia, "8 916 555 01 01" are one number.
      const p = parsePhoneNumberFromString(v, phoneCountry as CountryCode);
      return p && p.isPossible() ? { value: p.number } : { error: `is not a phone number (international with +, or national in ${phoneCountry})` };
    }
    case 'card':
      return /^[0-9A-Za-z-]{4,64}$/.test(v) ? { value: v.toUpperCase() } : { error: 'is not a card number (4 to 64 letters, digits or dashes)' };
    case 'external':
      return v.length <= 128 ? { value: v } : { error: 'is longer than 128 characters' };
  }
}

/** The walk-in id under which a store's anonymous sales are kept. Never a row in customers.customers. */
export function anonymousCustomerId(storeCode: string): string {
  return `anon:${storeCode}`;
}

export function isAnonymousCustomerId(id: string): boolean {
  return id.startsWith('anon:');
}
