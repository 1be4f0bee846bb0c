import type { Queryable } from '../../platform/db/client.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { OFFER_FIELDS, type OfferDto } from './offers.contract.ts';

// An offer's history: its making, each edit and its archiving, when, by whom, and every field each changed, before
// and after.

/** Who changes an offer: an API key or console user (id and name), or null from the command line. */
export type Actor = { id: string; name: string } | null;

export type OfferChange = {
  at: string;
  actor: string | null;
  actorName: string | null;
  change: Record<string, { from: unknown; to: unknown }>;
};

/** Per field that differs, its value before and after. */
export function changeOf(before: OfferDto, after: OfferDto): OfferChange['change'] {
  const out: OfferChange['change'] = {};
  for (const k of OFFER_FIELDS) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = { from: before[k], to: after[k] };
  return out;
}

/** An offer as it was made: its status and every field it was given, each from nothing. */
export function creationOf(made: OfferDto): OfferChange['change'] {
  const out: OfferChange['change'] = { status: { from: null, to: made.status } };
  for (const k of OFFER_FIELDS) if (made[k] !== null) out[k] = { from: null, to: made[k] };
  return out;
}

/** An offer's making, edits and archiving, newest first; OFFERS_NOT_FOUND for an unknown offer. */
export async function listOfferChanges(q: Queryable, id: string): Promise<OfferChange[]> {
  const rows = await q.query<{
    at: Date | null;
    actor: string | null;
    actorName: string | null;
    change: OfferChange['change'] | null;
  }>(
    `SELECT c.at, c.actor, c.actor_name AS "actorName", c.change
     FROM offers.offers o LEFT JOIN offers.changes c ON c.offer_id = o.id WHERE o.id = $1 ORDER BY c.at DESC, c.id DESC`,
    [id],
  );
  if (rows.length === 0) throw new AppError('OFFERS_NOT_FOUND', `No offer ${id}.`);
  return rows
    .filter((r) => r.change !== null)
    .map((r) => ({ at: new Date(r.at!).toISOString(), actor: r.actor, actorName: r.actorName, change: r.change! }));
}

/**
 * Records a change (the making, an edit) in its transaction. At clock_timestamp(), not now(): the time the change
 * was made, after waiting for the offer's lock, so that the history is in the order the edits were applied.
 */
export async function recordChange(q: Queryable, offerId: string, actor: Actor, change: OfferChange['change']): Promise<void> {
  await q.query(
    `INSERT INTO offers.changes (id, offer_id, at, actor, actor_name, change) VALUES ($1, $2, clock_timestamp(), $3, $4, $5::jsonb)`,
    [newId('offerChange'), offerId, actor?.id ?? null, actor?.name ?? null, JSON.stringify(change)],
  );
}
