import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Database, Queryable } from '../../platform/db/client.ts';
import { AppError, fieldPath } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { CampaignDefinition } from './campaigns.contract.ts';
import * as repo from './campaigns.repository.ts';
import { storedDefinition } from './campaigns.definition.ts';
import { getRow } from './campaigns.service.ts';
import { webhookOf } from './campaigns.webhook.ts';

// Delivery of a launched campaign's outbox: HMAC-signed posts to the webhook with retries and backoff, the signed
// status callback, and the deliveries' list.

/** `sha256=<hex>`: the HMAC-SHA256 of the raw body with the secret, as the x-patron-signature header carries it. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Compares a signature header with the body's, in constant time. */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header.trim());
  return got.length === want.length && timingSafeEqual(got, want);
}

export type DeliverSummary = { claimed: number; sent: number; retrying: number; failed: number };

/**
 * One pass over the outbox: every message due now is posted once to its campaign's webhook, as JSON signed with
 * HMAC-SHA256 (x-patron-signature: sha256=<hex> over the raw body). A 2xx answer marks it sent; anything else, or
 * a network error, schedules the next attempt after backoffSeconds × 2^(attempt − 1), until maxAttempts, then failed.
 */
export async function deliverDue(
  database: Database,
  opts: { now?: Date; limit?: number; concurrency?: number; timeoutMs?: number; logger?: Logger | undefined } = {},
): Promise<DeliverSummary> {
  const limit = opts.limit ?? 10_000;
  const summary: DeliverSummary = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
  const defs = new Map<string, CampaignDefinition>();
  const seen: string[] = [];
  while (summary.claimed < limit) {
    const now = opts.now ?? new Date();
    const batch = await repo.claimDue(database, now, Math.min(200, limit - summary.claimed), seen);
    if (batch.length === 0) break;
    summary.claimed += batch.length;
    const outcomes: repo.AttemptOutcome[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < batch.length; i = next++) {
        const m = batch[i]!;
        seen.push(m.id);
        let def = defs.get(m.campaignId);
        if (!def) {
          def = storedDefinition((await getRow(database, m.campaignId)).definition);
          defs.set(m.campaignId, def);
        }
        const error = await post(def, m, opts.timeoutMs ?? 10_000);
        const at = new Date();
        if (!error) {
          outcomes.push({ customerId: m.customerId, id: m.id, status: 'sent', nextAttemptAt: at, error: null });
          summary.sent++;
        } else if (m.attempts >= def.delivery.maxAttempts) {
          outcomes.push({ customerId: m.customerId, id: m.id, status: 'failed', nextAttemptAt: at, error });
          summary.failed++;
        } else {
          const wait = def.delivery.backoffSeconds * 1000 * 2 ** (m.attempts - 1);
          outcomes.push({ customerId: m.customerId, id: m.id, status: 'pending', nextAttemptAt: new Date(at.getTime() + wait), error });
          summary.retrying++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, batch.length) }, worker));
    await repo.recordAttempts(database, outcomes, new Date());
  }
  opts.logger?.info(summary, 'campaign outbox delivered');
  return summary;
}

/** Posts one message; returns undefined on a 2xx answer, else what went wrong. */
async function post(def: CampaignDefinition, m: repo.ClaimedMessage, timeoutMs: number): Promise<string | undefined> {
  const hook = webhookOf(def);
  if (!hook) return 'no webhook configured';
  const body = JSON.stringify(m.payload);
  try {
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-patron-signature': signBody(hook.secret, body),
        'x-patron-delivery': m.id,
        'x-patron-attempt': String(m.attempts),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    return `network: ${cause?.code ?? (e as Error).message}`;
  }
}

const RANK: Record<string, number> = { pending: -1, sending: -1, failed: -1, sent: 0, delivered: 1, opened: 2, clicked: 3 };

/**
 * A delivery status reported back by the provider, authenticated by x-patron-signature over the raw body with the
 * campaign's secret. Statuses only move forward (sent → delivered → opened → clicked); `failed` is taken only before
 * delivery. Returns whether the stored status changed.
 */
export async function recordDeliveryStatus(
  database: Database,
  id: string,
  raw: { body: string; signature: string | undefined },
): Promise<{ id: string; status: string; changed: boolean }> {
  const found = await repo.findDelivery(database, id);
  if (!found) throw new AppError('CAMPAIGNS_DELIVERY_NOT_FOUND', `No outbox message has id ${id}.`, { id });
  const def = storedDefinition((await getRow(database, found.campaignId)).definition);
  const hook = webhookOf(def);
  if (!hook || !verifySignature(hook.secret, raw.body, raw.signature)) {
    throw new AppError(
      'CAMPAIGNS_BAD_SIGNATURE',
      'x-patron-signature must be sha256=<hex HMAC-SHA256 of the raw body with the campaign webhook secret>.',
    );
  }
  const parsed = statusBody.safeParse(JSON.parse(raw.body));
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ field: `body.${fieldPath(i.path)}`, message: i.message }));
    throw new AppError('VALIDATION_FAILED', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
  }
  const { status, at, reason } = parsed.data;
  const current = RANK[found.status] ?? -1;
  const changed = status === 'failed' ? current < 1 && found.status !== 'failed' : (RANK[status] ?? -1) > current;
  if (changed) await repo.setDeliveryStatus(database, found.customerId, id, status, at ? new Date(at) : new Date(), reason ?? null);
  return { id, status: changed ? status : found.status, changed };
}

const statusBody = z
  .object({
    status: z.enum(['delivered', 'opened', 'clicked', 'failed']),
    at: z.iso.datetime({ offset: true }).optional(),
    reason: z.string().max(500).optional(),
  })
  .strict();

/** The outbox of a campaign, message by message (status, attempts, last error). */
export async function campaignDeliveries(q: Queryable, nameOrId: string) {
  const row = await getRow(q, nameOrId);
  return (await repo.deliveriesOf(q, row.id)).map((d) => ({ ...d, sentAt: d.sentAt ? new Date(d.sentAt).toISOString() : null }));
}
