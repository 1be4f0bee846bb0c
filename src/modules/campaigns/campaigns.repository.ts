import type { Queryable, Session } from '../../platform/db/client.ts';
import type { AudienceCounts, Variant } from './campaigns.contract.ts';

export type CampaignRow = {
  id: string;
  name: string;
  status: 'draft' | 'launched';
  definition: unknown;
  createdAt: Date;
  launchedAt: Date | null;
  globalControlEpoch: number | null;
  audience: AudienceCounts | null;
  variants: number;
};

const CAMPAIGN_COLUMNS = `c.id, c.name, c.status, c.definition, c.created_at AS "createdAt", c.launched_at AS "launchedAt",
  c.global_control_epoch AS "globalControlEpoch", c.audience,
  (SELECT count(*)::int FROM campaigns.variants v WHERE v.campaign_id = c.id) AS variants`;

export async function insertCampaign(
  s: Session,
  row: { id: string; name: string; definition: unknown },
  variants: readonly Variant[],
): Promise<void> {
  await s.query(`INSERT INTO campaigns.campaigns (id, name, status, definition) VALUES ($1, $2, 'draft', $3)`, [
    row.id,
    row.name,
    JSON.stringify(row.definition),
  ]);
  await s.query(
    `INSERT INTO campaigns.variants (campaign_id, key, segment, offer, channel)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])`,
    [row.id, variants.map((v) => v.key), variants.map((v) => v.segment), variants.map((v) => v.offer), variants.map((v) => v.channel)],
  );
}

export async function findCampaign(q: Queryable, nameOrId: string, opts: { forUpdate?: boolean } = {}): Promise<CampaignRow | undefined> {
  const rows = await q.query<CampaignRow>(
    `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns.campaigns c WHERE c.name = $1 OR c.id = $1 ${opts.forUpdate ? 'FOR UPDATE' : ''}`,
    [nameOrId],
  );
  return rows[0];
}

/** Every campaign's own webhook secret, as stored. */
export async function webhookSecrets(q: Queryable): Promise<{ id: string; secret: string }[]> {
  return q.query(
    `SELECT id, definition->'webhook'->>'secret' AS secret FROM campaigns.campaigns WHERE definition->'webhook'->>'secret' IS NOT NULL`,
  );
}

/** Replaces a webhook secret, if it is still `was` (so a concurrent replacement is not overwritten). */
export async function replaceWebhookSecret(q: Queryable, id: string, was: string, secret: string): Promise<void> {
  await q.query(
    `UPDATE campaigns.campaigns SET definition = jsonb_set(definition, '{webhook,secret}', to_jsonb($3::text))
     WHERE id = $1 AND definition->'webhook'->>'secret' = $2`,
    [id, was, secret],
  );
}

export type CustomerCampaignRow = {
  campaignId: string;
  name: string;
  launchedAt: Date | null;
  arm: 'treated' | 'control';
  segment: string;
  variantKey: string;
  channel: string;
  messageId: string | null;
  status: string | null;
  attempts: number | null;
  sentAt: Date | null;
  statusAt: Date | null;
};

/** The campaigns a customer was in, newest launch first, with the message of a treated one: one statement. */
export async function campaignsOfCustomer(q: Queryable, customerId: string, limit: number): Promise<CustomerCampaignRow[]> {
  return q.query<CustomerCampaignRow>(
    `SELECT m.campaign_id AS "campaignId", c.name, c.launched_at AS "launchedAt", m.arm, m.segment, m.variant_key AS "variantKey", m.channel,
       o.id AS "messageId", o.status, o.attempts, o.sent_at AS "sentAt", o.status_at AS "statusAt"
     FROM campaigns.members m
     JOIN campaigns.campaigns c ON c.id = m.campaign_id
     LEFT JOIN campaigns.outbox o ON o.customer_id = m.customer_id AND o.campaign_id = m.campaign_id
     WHERE m.customer_id = $1
     ORDER BY c.launched_at DESC NULLS LAST, m.campaign_id DESC
     LIMIT $2`,
    [customerId, limit],
  );
}

export async function listCampaigns(q: Queryable): Promise<CampaignRow[]> {
  return q.query<CampaignRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns.campaigns c ORDER BY c.created_at DESC, c.id DESC`);
}

export async function listVariants(q: Queryable, campaignId: string): Promise<Variant[]> {
  return q.query<Variant>(`SELECT key, segment, offer, channel FROM campaigns.variants WHERE campaign_id = $1 ORDER BY key`, [campaignId]);
}

export async function currentGlobalControl(q: Queryable): Promise<{ epoch: number; share: number; drawnAt: Date } | undefined> {
  const rows = await q.query<{ epoch: number; share: number; drawnAt: Date }>(
    `SELECT epoch, share, drawn_at AS "drawnAt" FROM campaigns.global_control ORDER BY epoch DESC LIMIT 1`,
  );
  return rows[0];
}

/** Every epoch of the global control group, oldest first (a handful of rows). */
export async function globalControlEpochs(q: Queryable): Promise<{ epoch: number; share: number; drawnAt: Date }[]> {
  return q.query<{ epoch: number; share: number; drawnAt: Date }>(
    `SELECT epoch, share, drawn_at AS "drawnAt" FROM campaigns.global_control ORDER BY epoch`,
  );
}

/** Adds the next epoch (1 when there is none); a concurrent insert of the same epoch leaves the existing one. */
export async function insertGlobalControl(q: Queryable, share: number, at: Date): Promise<void> {
  await q.query(
    `INSERT INTO campaigns.global_control (epoch, share, drawn_at)
     SELECT coalesce(max(epoch), 0) + 1, $1, $2 FROM campaigns.global_control ON CONFLICT (epoch) DO NOTHING`,
    [share, at],
  );
}

export type MemberRow = { customerId: string; arm: 'treated' | 'control'; segment: string; variantKey: string; channel: string };

export async function insertMembers(s: Session, campaignId: string, rows: readonly MemberRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const b = rows.slice(i, i + 5000);
    await s.query(
      `INSERT INTO campaigns.members (customer_id, campaign_id, arm, segment, variant_key, channel)
       SELECT c, $1, a, sg, v, ch FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(c, a, sg, v, ch)`,
      [
        campaignId,
        b.map((r) => r.customerId),
        b.map((r) => r.arm),
        b.map((r) => r.segment),
        b.map((r) => r.variantKey),
        b.map((r) => r.channel),
      ],
    );
  }
}

export type OutboxInsert = { customerId: string; id: string; variantKey: string; channel: string; payload: unknown };

export async function insertOutbox(s: Session, campaignId: string, rows: readonly OutboxInsert[], at: Date): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    const b = rows.slice(i, i + 2000);
    await s.query(
      `INSERT INTO campaigns.outbox (customer_id, id, campaign_id, variant_key, channel, payload, status, next_attempt_at)
       SELECT c, i, $1, v, ch, p, 'pending', $7 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) AS t(c, i, v, ch, p)`,
      [
        campaignId,
        b.map((r) => r.customerId),
        b.map((r) => r.id),
        b.map((r) => r.variantKey),
        b.map((r) => r.channel),
        b.map((r) => JSON.stringify(r.payload)),
        at,
      ],
    );
  }
}

export async function markLaunched(s: Session, id: string, at: Date, epoch: number, audience: AudienceCounts): Promise<void> {
  await s.query(
    `UPDATE campaigns.campaigns SET status = 'launched', launched_at = $2, global_control_epoch = $3, audience = $4 WHERE id = $1`,
    [id, at, epoch, JSON.stringify(audience)],
  );
}

export async function membersOf(q: Queryable, campaignId: string): Promise<MemberRow[]> {
  return q.query<MemberRow>(
    `SELECT customer_id AS "customerId", arm, segment, variant_key AS "variantKey", channel FROM campaigns.members WHERE campaign_id = $1 ORDER BY customer_id`,
    [campaignId],
  );
}

export type ClaimedMessage = { customerId: string; id: string; campaignId: string; payload: unknown; attempts: number };

/**
 * Claims due messages for one attempt: pending ones whose time has come, and `sending` ones whose lease ran out (a
 * worker died mid-send). The claim is a lease of `leaseSeconds`; SKIP LOCKED lets several workers share the outbox.
 */
export async function claimDue(
  q: Queryable,
  now: Date,
  limit: number,
  exclude: readonly string[],
  leaseSeconds = 300,
): Promise<ClaimedMessage[]> {
  return q.query<ClaimedMessage>(
    `UPDATE campaigns.outbox o SET status = 'sending', attempts = o.attempts + 1, next_attempt_at = $1::timestamptz + make_interval(secs => $4)
     FROM (SELECT customer_id, id FROM campaigns.outbox
           WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 AND NOT (id = ANY($3::text[]))
           ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) d
     WHERE o.customer_id = d.customer_id AND o.id = d.id
     RETURNING o.customer_id AS "customerId", o.id, o.campaign_id AS "campaignId", o.payload, o.attempts`,
    [now, limit, exclude, leaseSeconds],
  );
}

export type AttemptOutcome = {
  customerId: string;
  id: string;
  status: 'sent' | 'pending' | 'failed';
  nextAttemptAt: Date;
  error: string | null;
};

/** Records the outcome of the attempts of one claim, in one statement. */
export async function recordAttempts(q: Queryable, outcomes: readonly AttemptOutcome[], now: Date): Promise<void> {
  if (outcomes.length === 0) return;
  await q.query(
    `UPDATE campaigns.outbox o SET status = t.s, next_attempt_at = t.n, last_error = t.e,
       sent_at = CASE WHEN t.s = 'sent' THEN $6::timestamptz ELSE o.sent_at END,
       status_at = $6::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS t(c, i, s, n, e)
     WHERE o.customer_id = t.c AND o.id = t.i AND o.status = 'sending'`,
    [
      outcomes.map((o) => o.customerId),
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.nextAttemptAt),
      outcomes.map((o) => o.error),
      now,
    ],
  );
}

export type DeliveryRow = {
  customerId: string;
  id: string;
  campaignId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
};

export async function findDelivery(q: Queryable, id: string): Promise<DeliveryRow | undefined> {
  const rows = await q.query<DeliveryRow>(
    `SELECT customer_id AS "customerId", id, campaign_id AS "campaignId", status, attempts, last_error AS "lastError", sent_at AS "sentAt"
     FROM campaigns.outbox WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export async function setDeliveryStatus(
  q: Queryable,
  customerId: string,
  id: string,
  status: string,
  at: Date,
  reason: string | null,
): Promise<void> {
  await q.query(
    `UPDATE campaigns.outbox SET status = $3, status_at = $4, last_error = coalesce($5, last_error) WHERE customer_id = $1 AND id = $2`,
    [customerId, id, status, at, reason],
  );
}

export async function deliveriesOf(q: Queryable, campaignId: string): Promise<DeliveryRow[]> {
  return q.query<DeliveryRow>(
    `SELECT customer_id AS "customerId", id, campaign_id AS "campaignId", status, attempts, last_error AS "lastError", sent_at AS "sentAt"
     FROM campaigns.outbox WHERE campaign_id = $1 ORDER BY customer_id, id`,
    [campaignId],
  );
}

export async function deliveryCounts(q: Queryable, campaignId: string): Promise<{ channel: string; status: string; n: number }[]> {
  return q.query(
    `SELECT channel, status, count(*)::int AS n FROM campaigns.outbox WHERE campaign_id = $1 GROUP BY channel, status ORDER BY channel, status`,
    [campaignId],
  );
}
