import { createHash } from 'node:crypto';

/**
 * A number in [0, 1) from a stable hash of the parts (SHA-256, first 48 bits). The same parts always give the same
 * number, on every machine and run, so an assignment made from it never reshuffles.
 */
export function stableUnit(...parts: readonly string[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Whether a customer is held out as the campaign's control: a stable draw from (campaign id, customer id). */
export function inCampaignControl(campaignId: string, customerId: string, share: number): boolean {
  return stableUnit('control', campaignId, customerId) < share;
}

/** Whether a customer is in the global control group of an epoch: a stable draw from (epoch, customer id). */
export function inGlobalControl(epoch: number, customerId: string, share: number): boolean {
  return stableUnit('global-control', String(epoch), customerId) < share;
}

/** One of `count` offers for a customer, a stable draw from (campaign id, customer id), uniform over the offers. */
export function offerIndex(campaignId: string, customerId: string, count: number): number {
  return Math.min(count - 1, Math.floor(stableUnit('offer', campaignId, customerId) * count));
}
