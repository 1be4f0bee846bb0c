import * as customers from '../customers/index.ts';
import * as loyalty from '../loyalty/index.ts';
import * as sales from '../sales/index.ts';
import * as segments from '../segments/index.ts';
import { config } from '../../platform/config.ts';
import type { Database, Queryable } from '../../platform/db/client.ts';
import { AppError, pgCode } from '../../platform/errors.ts';
import { ulid } from '../../platform/ids.ts';
import { currencyExponent, decimalToMinor } from '../../platform/money.ts';
import type {
  AudienceCounts,
  CampaignDefinition,
  CampaignDto,
  CampaignReport,
  Channel,
  CustomerCampaign,
  Preview,
  Variant,
} from './campaigns.contract.ts';
import * as repo from './campaigns.repository.ts';
import { sealedWebhook, webhookOf } from './campaigns.webhook.ts';
import { inCampaignControl, inGlobalControl, offerIndex } from './domain/assign.ts';
import { computeReport, type MemberOutcome } from './domain/report.ts';
import { compileTemplate, type TemplateContext } from './domain/template.ts';
import { CELL_PAYBACK, SEGMENT_NAMES, generateVariants, parseDefinition, storedDefinition } from './campaigns.definition.ts';

const DAY_MS = 86_400_000;

function dto(row: repo.CampaignRow): CampaignDto {
  const def = { ...(row.definition as Record<string, unknown>) };
  if (def.webhook) def.webhook = { url: (def.webhook as { url: string }).url, secret: '(hidden)' };
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    createdAt: new Date(row.createdAt).toISOString(),
    launchedAt: row.launchedAt ? new Date(row.launchedAt).toISOString() : null,
    definition: def,
    variants: row.variants,
    audience: row.audience,
  };
}

export async function getRow(q: Queryable, nameOrId: string, forUpdate = false): Promise<repo.CampaignRow> {
  const row = await repo.findCampaign(q, nameOrId, { forUpdate });
  if (!row) throw new AppError('CAMPAIGNS_NOT_FOUND', `No campaign named '${nameOrId}'.`, { campaign: nameOrId });
  return row;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/** The campaigns a customer was in (at most `limit`, newest launch first): the arm, and the message if treated. */
export async function customerCampaigns(q: Queryable, customerId: string, limit = 50): Promise<CustomerCampaign[]> {
  return (await repo.campaignsOfCustomer(q, customerId, limit)).map((r) => ({
    campaignId: r.campaignId,
    name: r.name,
    launchedAt: iso(r.launchedAt),
    arm: r.arm,
    segment: r.segment,
    variant: r.variantKey,
    channel: r.channel as Channel,
    message: r.messageId
      ? { id: r.messageId, status: r.status!, attempts: r.attempts ?? 0, sentAt: iso(r.sentAt), statusAt: iso(r.statusAt) }
      : null,
  }));
}

/** Validates and stores a campaign with its variants, in one transaction: a refused definition stores nothing. */
export async function createCampaign(database: Database, raw: unknown): Promise<CampaignDto & { variantList: Variant[] }> {
  const def = parseDefinition(raw);
  const currency = def.currency ?? config().defaultCurrency;
  let pointValue = def.pointValue;
  if (pointValue === undefined) {
    const program = await loyalty.findProgramVersion(database);
    pointValue = program && program.config.currency === currency ? program.config.burn.pointValue : '0';
  }
  const stored: CampaignDefinition = { ...def, currency, pointValue, ...(def.webhook ? { webhook: sealedWebhook(def.webhook) } : {}) };
  const variants = generateVariants(stored);
  const id = `cmp_${ulid()}`;
  try {
    await database.transaction((s) => repo.insertCampaign(s, { id, name: def.name, definition: stored }, variants));
  } catch (e) {
    if (pgCode(e) === '23505')
      throw new AppError('CAMPAIGNS_NAME_TAKEN', `A campaign named '${def.name}' exists already.`, {
        fields: [{ field: 'name', message: 'taken' }],
      });
    throw e;
  }
  return getCampaign(database, id);
}

export async function listCampaigns(q: Queryable): Promise<CampaignDto[]> {
  return (await repo.listCampaigns(q)).map(dto);
}

export async function getCampaign(q: Queryable, nameOrId: string): Promise<CampaignDto & { variantList: Variant[] }> {
  const row = await getRow(q, nameOrId);
  return { ...dto(row), variantList: await repo.listVariants(q, row.id) };
}

// ---------------------------------------------------------------------------------------------------------------
// Audience and rendering

type Person = { customerId: string; name: string; points: number; valueTier: string; to: Record<string, string> };

function renderer(def: CampaignDefinition) {
  const compiled = new Map<string, { subject?: (c: TemplateContext) => string; body: (c: TemplateContext) => string }>();
  return (variant: Variant, person: Person) => {
    let c = compiled.get(variant.channel);
    if (!c) {
      c = {
        ...(def.template.subject !== undefined && variant.channel === 'email'
          ? { subject: compileTemplate(def.template.subject, { escape: false }) }
          : {}),
        body: compileTemplate(def.template.body, { escape: variant.channel === 'email' }),
      };
      compiled.set(variant.channel, c);
    }
    const offer = def.offers.find((o) => o.key === variant.offer);
    const context: TemplateContext = {
      name: person.name,
      segment: SEGMENT_NAMES[def.audience.by].get(variant.segment) ?? variant.segment,
      offer: offer?.text ?? '',
      points: person.points,
      valueTier: person.valueTier,
    };
    return { subject: c.subject ? c.subject(context) : null, body: c.body(context), context };
  };
}

/** Name, points balance, value tier and addresses of customers, in a fixed number of statements per batch. */
async function people(
  q: Queryable,
  def: CampaignDefinition,
  ids: readonly string[],
  cells: Map<string, { cell: string }>,
): Promise<Map<string, Person>> {
  const out = new Map<string, Person>();
  for (let i = 0; i < ids.length; i += 1000) {
    const batch = ids.slice(i, i + 1000);
    const [dtos, wallets] = [await customers.findCustomerDtos(q, batch), await loyalty.tillWallets(q, batch)];
    for (const c of dtos) {
      const to: Record<string, string> = {};
      for (const ident of c.identities)
        if ((ident.kind === 'email' || ident.kind === 'phone') && !to[ident.kind]) to[ident.kind] = ident.value;
      const cell = cells.get(c.id)?.cell;
      out.set(c.id, {
        customerId: c.id,
        name: c.fullName ?? def.fallbackName,
        points: wallets.get(c.id)?.active ?? 0,
        // The expected-value tier is the payback of the customer's R×F cell (high, medium, low): docs in README.
        valueTier: (cell && CELL_PAYBACK.get(cell)) ?? 'unknown',
        to,
      });
    }
  }
  return out;
}

/** The channel a customer is reached on: the first of the campaign's channels they consent to. */
function channelFor(def: CampaignDefinition, consents: readonly { channel: string; granted: boolean }[]): Channel | undefined {
  return def.channels.find((ch) => consents.some((c) => c.channel === ch && c.granted));
}

async function ensureGlobalControl(q: Queryable, at: Date): Promise<{ epoch: number; share: number }> {
  let g = await repo.currentGlobalControl(q);
  if (!g) {
    await repo.insertGlobalControl(q, config().globalControlShare, at);
    g = await repo.currentGlobalControl(q);
  }
  return { epoch: g!.epoch, share: g!.share };
}

type Plan = { counts: AudienceCounts; members: repo.MemberRow[]; eligible: Map<string, customers.Customer> };

/**
 * The audience as it stands: customers of the audience's segments on the latest refreshed date, less the global
 * control group, less those without consent for any channel; then each is treated or control by a stable hash of
 * (campaign id, customer id), and gets an offer by another. Computing it twice gives the same arms.
 */
export async function planAudience(
  q: Queryable,
  campaignId: string,
  def: CampaignDefinition,
  global: { epoch: number; share: number },
): Promise<Plan> {
  const latest = await segments.latestCells(q);
  if (!latest.asOf)
    throw new AppError(
      'CAMPAIGNS_NO_SEGMENTS',
      'No segment refresh exists yet: run `patron segments refresh` (or POST /api/v1/segments/refresh) first.',
    );
  const wanted = new Set(def.audience.segments);
  let candidates: { customerId: string; segment: string }[];
  if (def.audience.by === 'cell') {
    candidates = latest.customerIds.flatMap((id, i) =>
      wanted.has(latest.cells[i]!) ? [{ customerId: id, segment: latest.cells[i]! }] : [],
    );
  } else {
    const cur = await segments.currentCells(q, latest.customerIds);
    candidates = latest.customerIds.flatMap((id) => {
      const s = cur.get(id)?.rfmSegment;
      return s && wanted.has(s) ? [{ customerId: id, segment: s }] : [];
    });
  }
  candidates.sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
  const outsideGlobal = candidates.filter((c) => !inGlobalControl(global.epoch, c.customerId, global.share));
  const members: repo.MemberRow[] = [];
  const eligible = new Map<string, customers.Customer>();
  for (let i = 0; i < outsideGlobal.length; i += 1000) {
    const batch = outsideGlobal.slice(i, i + 1000);
    const dtos = new Map(
      (
        await customers.findCustomerDtos(
          q,
          batch.map((c) => c.customerId),
        )
      ).map((c) => [c.id, c]),
    );
    for (const c of batch) {
      const person = dtos.get(c.customerId);
      if (!person || person.status !== 'active') continue;
      const channel = channelFor(def, person.consents);
      if (!channel) continue;
      const offer = def.offers[offerIndex(campaignId, c.customerId, def.offers.length)]!;
      const arm = inCampaignControl(campaignId, c.customerId, def.controlShare) ? 'control' : 'treated';
      members.push({ customerId: c.customerId, arm, segment: c.segment, variantKey: `${c.segment}.${offer.key}.${channel}`, channel });
      eligible.set(c.customerId, person);
    }
  }
  const treated = members.filter((m) => m.arm === 'treated').length;
  return {
    counts: {
      candidates: candidates.length,
      globalControl: candidates.length - outsideGlobal.length,
      noConsent: outsideGlobal.length - members.length,
      treated,
      control: members.length - treated,
      segmentsAsOf: latest.asOf,
      globalControlEpoch: global.epoch,
    },
    members,
    eligible,
  };
}

/** The cost of one message on a channel, in the currency's major unit. */
function messageCost(def: CampaignDefinition, channel: string): number {
  return Number(def.costs[channel as Channel] ?? 0);
}

/**
 * Launches a campaign at `at` (default now): freezes its audience (members, treated and control), and writes one
 * outbox message per treated member, rendered from its variant, in one transaction. Refused when launched already,
 * outside the schedule, without a webhook, or above the budget; then nothing is written.
 */
export async function launchCampaign(database: Database, nameOrId: string, opts: { at?: string | undefined } = {}) {
  const at = opts.at ? new Date(opts.at) : new Date();
  const global = await ensureGlobalControl(database, at);
  return database.transaction(async (s) => {
    const row = await getRow(s, nameOrId, true);
    if (row.status !== 'draft')
      throw new AppError(
        'CAMPAIGNS_ALREADY_LAUNCHED',
        `Campaign '${row.name}' was launched at ${new Date(row.launchedAt!).toISOString()}; its audience stays as it is.`,
        { campaign: row.name },
      );
    const def = storedDefinition(row.definition);
    const { startAt, endAt } = def.schedule;
    if ((startAt && at < new Date(startAt)) || (endAt && at > new Date(endAt))) {
      throw new AppError(
        'CAMPAIGNS_OUTSIDE_SCHEDULE',
        `Campaign '${row.name}' runs ${startAt ?? '…'} to ${endAt ?? '…'}; ${at.toISOString()} is outside it.`,
        { campaign: row.name },
      );
    }
    if (!webhookOf(def))
      throw new AppError(
        'CAMPAIGNS_NO_WEBHOOK',
        `Campaign '${row.name}' has no webhook, and PATRON_CAMPAIGN_WEBHOOK_URL and PATRON_CAMPAIGN_WEBHOOK_SECRET are not set.`,
        { campaign: row.name },
      );
    const plan = await planAudience(s, row.id, def, global);
    const treated = plan.members.filter((m) => m.arm === 'treated');
    const cost = treated.reduce((a, m) => a + messageCost(def, m.channel), 0);
    if (def.budget !== undefined && cost > Number(def.budget)) {
      throw new AppError(
        'CAMPAIGNS_OVER_BUDGET',
        `Campaign '${row.name}': ${treated.length} messages cost ${cost.toFixed(4)} ${def.currency}, above the budget of ${def.budget}; nothing was sent.`,
        { campaign: row.name, cost, budget: def.budget },
      );
    }
    const variants = new Map((await repo.listVariants(s, row.id)).map((v) => [v.key, v]));
    const cells = await segments.currentCells(
      s,
      treated.map((m) => m.customerId),
    );
    const persons = await people(
      s,
      def,
      treated.map((m) => m.customerId),
      cells,
    );
    const render = renderer(def);
    const outbox: repo.OutboxInsert[] = treated.map((m) => {
      const variant = variants.get(m.variantKey)!;
      const person = persons.get(m.customerId)!;
      const msg = render(variant, person);
      const id = `dlv_${ulid(at.getTime())}`;
      return {
        customerId: m.customerId,
        id,
        variantKey: m.variantKey,
        channel: m.channel,
        payload: {
          id,
          campaign: row.name,
          campaignId: row.id,
          variant: m.variantKey,
          channel: m.channel,
          offer: variant.offer,
          customerId: m.customerId,
          to: person.to,
          subject: msg.subject,
          body: msg.body,
        },
      };
    });
    await repo.insertMembers(s, row.id, plan.members);
    await repo.insertOutbox(s, row.id, outbox, at);
    await repo.markLaunched(s, row.id, at, global.epoch, plan.counts);
    return { campaign: row.name, launchedAt: at.toISOString(), audience: plan.counts, outbox: outbox.length };
  });
}

/**
 * Renders a variant with a real customer's data. Without `variantKey`, the variant the customer gets (their segment,
 * their offer, their first consented channel); CAMPAIGNS_NOT_IN_AUDIENCE when there is none.
 */
export async function previewCampaign(q: Queryable, nameOrId: string, customerId: string, variantKey?: string): Promise<Preview> {
  const row = await getRow(q, nameOrId);
  const def = storedDefinition(row.definition);
  const customer = await customers.getCustomer(q, customerId);
  const variants = await repo.listVariants(q, row.id);
  const cells = await segments.currentCells(q, [customer.id]);
  let variant: Variant | undefined;
  if (variantKey !== undefined) {
    variant = variants.find((v) => v.key === variantKey);
    if (!variant) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Campaign '${row.name}' has no variant '${variantKey}'; variants are <segment>.<offer>.<channel>, e.g. ${variants[0]?.key ?? '(none)'}.`,
        {
          fields: [{ field: 'variant', message: 'unknown variant' }],
        },
      );
    }
  } else {
    const cur = cells.get(customer.id);
    const segment = cur ? (def.audience.by === 'cell' ? cur.cell : cur.rfmSegment) : undefined;
    const channel = channelFor(def, customer.consents);
    if (!segment || !def.audience.segments.includes(segment) || !channel) {
      const why = !segment
        ? 'has no segment yet'
        : !def.audience.segments.includes(segment)
          ? `is in '${segment}', not in the audience`
          : `has no consent for ${def.channels.join(' or ')}`;
      throw new AppError(
        'CAMPAIGNS_NOT_IN_AUDIENCE',
        `Customer ${customer.id} ${why}; name a variant to preview (e.g. ${variants[0]?.key ?? ''}).`,
        { customerId: customer.id },
      );
    }
    const offer = def.offers[offerIndex(row.id, customer.id, def.offers.length)]!;
    variant = variants.find((v) => v.key === `${segment}.${offer.key}.${channel}`)!;
  }
  const person = (await people(q, def, [customer.id], cells)).get(customer.id)!;
  const msg = renderer(def)(variant, person);
  return {
    campaign: row.name,
    customerId: customer.id,
    variant: variant.key,
    channel: variant.channel,
    subject: msg.subject,
    body: msg.body,
    context: msg.context,
  };
}

/** Adds the next epoch of the global control group: a new stable draw of `share` of all customers. */
export async function redrawGlobalControl(
  q: Queryable,
  opts: { share?: number | undefined; at?: Date } = {},
): Promise<{ epoch: number; share: number }> {
  await repo.insertGlobalControl(q, opts.share ?? config().globalControlShare, opts.at ?? new Date());
  const g = (await repo.currentGlobalControl(q))!;
  return { epoch: g.epoch, share: g.share };
}

/** Whether a customer is in the global control group now (no campaign reaches them). */
export async function isInGlobalControl(q: Queryable, customerId: string): Promise<boolean> {
  const g = await repo.currentGlobalControl(q);
  return !!g && inGlobalControl(g.epoch, customerId, g.share);
}

/**
 * The global control group in force at `at`: the latest epoch drawn before it, or, when none was drawn before it, the
 * first epoch (the group the first launch held out); undefined when no epoch exists yet. A customer is in it when
 * {@link inGlobalControl}(epoch, customer id, share).
 */
export async function globalControlAt(q: Queryable, at: Date): Promise<{ epoch: number; share: number; drawnAt: string } | undefined> {
  const epochs = await repo.globalControlEpochs(q);
  const before = epochs.filter((e) => new Date(e.drawnAt) < at);
  const g = before.at(-1) ?? epochs[0];
  return g && { epoch: g.epoch, share: g.share, drawnAt: new Date(g.drawnAt).toISOString() };
}

/** Launches draft campaigns whose schedule has started (and not ended); each launch is its own transaction. */
export async function launchDue(
  database: Database,
  at: Date,
): Promise<{ launched: string[]; failed: { campaign: string; error: string }[] }> {
  const out = { launched: [] as string[], failed: [] as { campaign: string; error: string }[] };
  for (const row of await repo.listCampaigns(database)) {
    if (row.status !== 'draft') continue;
    const { startAt, endAt } = storedDefinition(row.definition).schedule;
    if (!startAt || new Date(startAt) > at || (endAt && new Date(endAt) < at)) continue;
    try {
      await launchCampaign(database, row.id, { at: at.toISOString() });
      out.launched.push(row.name);
    } catch (e) {
      out.failed.push({ campaign: row.name, error: (e as Error).message });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

/**
 * The campaign's result: responses of treated and control members from receipts in the attribution window
 * [launch, launch + attributionDays), per arm, per segment and per variant, with effects, their 95% intervals, cost
 * and ROI. See domain/report.ts for the formulas.
 */
export async function campaignReport(q: Queryable, nameOrId: string, now: Date = new Date()): Promise<CampaignReport> {
  const row = await getRow(q, nameOrId);
  if (row.status !== 'launched' || !row.launchedAt)
    throw new AppError('CAMPAIGNS_NOT_LAUNCHED', `Campaign '${row.name}' is not launched yet: launch it first.`, { campaign: row.name });
  const def = storedDefinition(row.definition);
  const currency = def.currency ?? config().defaultCurrency;
  const scale = 10 ** currencyExponent(currency);
  const from = new Date(row.launchedAt);
  const to = new Date(from.getTime() + def.attributionDays * DAY_MS);
  const [members, spend, deliveries] = [
    await repo.membersOf(q, row.id),
    await sales.spendByCustomer(q, from, to, currency),
    await repo.deliveryCounts(q, row.id),
  ];
  const byCustomer = new Map(spend.map((s) => [s.customerId, s]));
  const outcomes: MemberOutcome[] = members.map((m) => {
    const s = byCustomer.get(m.customerId);
    return {
      arm: m.arm,
      segment: m.segment,
      variantKey: m.variantKey,
      converted: (s?.purchases ?? 0) > 0,
      revenue: (s?.spendMinor ?? 0) / scale,
    };
  });
  const offerOf = (variantKey: string) => def.offers.find((o) => o.key === variantKey.split('.')[1]);
  const SENT = new Set(['sent', 'delivered', 'opened', 'clicked']);
  const messages = deliveries.reduce((a, d) => a + (SENT.has(d.status) ? d.n * messageCost(def, d.channel) : 0), 0);
  const pointValue = Number(def.pointValue ?? '0');
  const minor = (text: string) => (decimalToMinor(text, currency) ?? 0) / scale;
  const r = computeReport(outcomes, {
    marginPercent: def.marginPercent,
    messages,
    discountOf: (k) => minor(offerOf(k)?.discount ?? '0'),
    pointsOf: (k) => (offerOf(k)?.points ?? 0) * pointValue,
  });
  const statuses: Record<string, number> = {};
  for (const d of deliveries) statuses[d.status] = (statuses[d.status] ?? 0) + d.n;
  return {
    campaign: row.name,
    currency,
    launchedAt: from.toISOString(),
    windowEnds: to.toISOString(),
    complete: now >= to,
    ...r,
    deliveries: statuses,
  };
}
