import { config } from '../../platform/config.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { isSealed, openSecret, sealSecret } from '../../platform/secrets.ts';
import type { CampaignDefinition } from './campaigns.contract.ts';
import * as repo from './campaigns.repository.ts';

// A campaign's webhook secret signs every message, so it is kept, but sealed (platform/secrets.ts), never in plain
// text: sealed when the campaign is stored, opened when a message is signed or a callback checked.

/** What a campaign webhook's secret is sealed for. */
const WEBHOOK_SECRET = 'campaign webhook';

type Webhook = NonNullable<CampaignDefinition['webhook']>;

/** The webhook as stored: its secret sealed. */
export function sealedWebhook(hook: Webhook): Webhook {
  return { url: hook.url, secret: sealSecret(hook.secret, WEBHOOK_SECRET) };
}

/** The campaign's webhook with its secret opened, else the configured one (PATRON_CAMPAIGN_WEBHOOK_*). */
export function webhookOf(def: CampaignDefinition): { url: string; secret: string } | undefined {
  return def.webhook ? { url: def.webhook.url, secret: openSecret(def.webhook.secret, WEBHOOK_SECRET) } : config().campaignWebhook;
}

/**
 * Seals the webhook secrets of campaigns stored before secrets were sealed (they were kept in plain text); run at
 * start. Returns how many it sealed.
 */
export async function sealWebhookSecrets(q: Queryable): Promise<number> {
  const plain = (await repo.webhookSecrets(q)).filter((w) => !isSealed(w.secret));
  for (const w of plain) await repo.replaceWebhookSecret(q, w.id, w.secret, sealSecret(w.secret, WEBHOOK_SECRET));
  return plain.length;
}
