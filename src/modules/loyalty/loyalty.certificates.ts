import type { Queryable } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { decimalToMinor, isKnownCurrency, minorToDecimal } from '../../platform/money.ts';
import type { z } from 'zod';
import type { IssueCertificateBody, PartnerBody } from './loyalty.contract.ts';
import * as repo from './loyalty.repository.ts';
import { clearTillReference, getProgram } from './loyalty.service.ts';

// Gift certificates (several categories, partial redemption, expiry, refund on return) and coalition partners with
// their settlement.

function certificateDto(c: repo.CertificateRow) {
  return {
    code: c.code,
    currency: c.currency,
    face: minorToDecimal(c.faceMinor, c.currency),
    remaining: minorToDecimal(Number(c.remainingMinor), c.currency),
    categories: c.categories,
    expiresAt: new Date(c.expiresAt).toISOString(),
    status: Number(c.remainingMinor) <= 0 ? 'spent' : new Date(c.expiresAt) <= new Date() ? 'expired' : c.status,
  };
}

export async function issueCertificate(q: Queryable, body: z.output<typeof IssueCertificateBody>) {
  if (!isKnownCurrency(body.currency))
    throw new AppError('VALIDATION_FAILED', `currency: '${body.currency}' is not an ISO 4217 code.`, {
      fields: [{ field: 'currency', message: 'unknown currency' }],
    });
  const faceMinor = decimalToMinor(body.face, body.currency);
  if (faceMinor === undefined || faceMinor <= 0)
    throw new AppError('VALIDATION_FAILED', `face: must be a positive amount in ${body.currency}.`, {
      fields: [{ field: 'face', message: 'positive amount' }],
    });
  const ok = await repo.insertCertificate(q, {
    code: body.code,
    currency: body.currency,
    faceMinor,
    categories: body.categories,
    expiresAt: new Date(body.expiresAt),
  });
  if (!ok)
    throw new AppError('LOYALTY_CERTIFICATE_TAKEN', `Certificate ${body.code} exists already.`, {
      fields: [{ field: 'code', message: 'exists already' }],
    });
  return getCertificate(q, body.code);
}

export async function getCertificate(q: Queryable, code: string) {
  const [c] = await repo.findCertificates(q, [code]);
  if (!c) throw new AppError('LOYALTY_CERTIFICATE_INVALID', `No certificate ${code}.`, { fields: [{ field: 'code', message: 'unknown' }] });
  return certificateDto(c);
}

export const findCertificates = repo.findCertificates;
export const addCertificateMoves = repo.addCertificateMoves;
export type CertificateRow = repo.CertificateRow;

// ---------------------------------------------------------------------------------------------------------------
// Partners (coalition)

export type Partner = repo.PartnerRow;

export async function createPartner(q: Queryable, body: z.output<typeof PartnerBody>, currency: string) {
  const issueCostMinor = decimalToMinor(body.issueCost, currency)!;
  const burnValueMinor = decimalToMinor(body.burnValue, currency)!;
  const ok = await repo.insertPartner(q, {
    code: body.code,
    name: body.name,
    earnPercent: body.earnPercent,
    issueCostMinor,
    burnValueMinor,
    stores: body.stores,
  });
  if (!ok)
    throw new AppError('LOYALTY_PARTNER_TAKEN', `Partner ${body.code} exists, or one of its stores belongs to another partner.`, {
      fields: [{ field: 'code', message: 'taken' }],
    });
  clearTillReference();
  return partnerDto(
    (await repo.listPartners(q)).find((p) => p.code === body.code)!,
    currency,
  );
}

function partnerDto(p: repo.PartnerRow, currency: string) {
  return {
    code: p.code,
    name: p.name,
    earnPercent: p.earnPercent,
    issueCost: minorToDecimal(p.issueCostMinor, currency),
    burnValue: minorToDecimal(p.burnValueMinor, currency),
    stores: p.stores,
  };
}

export async function listPartners(q: Queryable, currency: string) {
  return (await repo.listPartners(q)).map((p) => partnerDto(p, currency));
}

/**
 * Who owes whom for [from, to] (whole UTC days): each partner owes the program for the points its customers earned
 * there (at its issue cost), and the program owes the partner for points burned there (at its burn value).
 */
export async function settlement(q: Queryable, from: string, to: string) {
  const program = await getProgram(q);
  const cur = program.config.currency;
  const [partners, flows] = await Promise.all([
    repo.listPartners(q),
    repo.partnerFlows(q, new Date(`${from}T00:00:00Z`), new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000)),
  ]);
  return {
    from,
    to,
    currency: cur,
    partners: partners.map((p) => {
      const f = flows.find((x) => x.code === p.code) ?? { issued: 0, burned: 0 };
      const owes = f.issued * p.issueCostMinor;
      const owed = f.burned * p.burnValueMinor;
      return {
        code: p.code,
        name: p.name,
        pointsIssued: f.issued,
        pointsBurned: f.burned,
        partnerOwes: minorToDecimal(owes, cur),
        programOwes: minorToDecimal(owed, cur),
        net: minorToDecimal(owes - owed, cur),
      };
    }),
  };
}
