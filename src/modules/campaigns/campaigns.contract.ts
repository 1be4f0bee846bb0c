import { z } from 'zod';
import { experimentContracts } from '../experiments/index.ts';

/** Channels a campaign can use; the same names as the customers' consent channels. */
export const CHANNELS = ['email', 'sms', 'push'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

const Decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal such as "0.05"');
const Key = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ and - (at most 40)');

export const Offer = z
  .object({
    key: Key,
    /** What {{offer}} prints. */
    text: z.string().min(1).max(500),
    /** The discount a converting treated customer is expected to take (booked as a cost per conversion). */
    discount: Decimal.default('0'),
    /** Points a converting treated customer is given, booked at the point value. */
    points: z.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

/** A campaign as a JSON file (`patron campaigns create FILE`) or POST /api/v1/campaigns gives it. */
export const CampaignDefinition = z
  .object({
    name: z.string().regex(/^[\w.-][\w .-]{0,79}$/, 'letters, digits, space, _ . - (at most 80)'),
    channels: z
      .array(Channel)
      .min(1)
      .refine((xs) => new Set(xs).size === xs.length, 'a channel is listed twice'),
    audience: z
      .object({
        /** `cell`: the R×F grid's cells (new, promising, vip, …); `rfm`: the RFM segments (champions, loyal, …). */
        by: z.enum(['cell', 'rfm']),
        segments: z
          .array(z.string().min(1))
          .min(1)
          .refine((xs) => new Set(xs).size === xs.length, 'a segment is listed twice'),
      })
      .strict(),
    offers: z
      .array(Offer)
      .min(1)
      .max(20)
      .refine((xs) => new Set(xs.map((o) => o.key)).size === xs.length, 'an offer key is listed twice'),
    template: z.object({ subject: z.string().max(500).optional(), body: z.string().min(1).max(10_000) }).strict(),
    /** The share of the audience held out as this campaign's control. */
    controlShare: z.number().gt(0, 'must be above 0').max(0.9, 'must be at most 0.9').default(0.1),
    schedule: z
      .object({ startAt: z.iso.datetime({ offset: true }).optional(), endAt: z.iso.datetime({ offset: true }).optional() })
      .strict()
      .default({}),
    /** The most the messages may cost (the currency's decimal); launch is refused above it. */
    budget: Decimal.optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code')
      .optional(),
    attributionDays: z.number().int().min(1).max(365).default(14),
    /** Margin on revenue, in percent: incremental margin = incremental revenue × this. */
    marginPercent: z.number().min(0).max(100).default(30),
    /** Cost per message sent, per channel. */
    costs: z
      .object({ email: Decimal.default('0.002'), sms: Decimal.default('0.05'), push: Decimal.default('0.001') })
      .strict()
      .default({ email: '0.002', sms: '0.05', push: '0.001' }),
    /** The value of one point in the currency; by default the loyalty program's, else 0. */
    pointValue: Decimal.optional(),
    /** Where the outbox is delivered; by default PATRON_CAMPAIGN_WEBHOOK_URL and PATRON_CAMPAIGN_WEBHOOK_SECRET. */
    webhook: z
      .object({ url: z.url({ protocol: /^https?$/ }), secret: z.string().min(16, 'at least 16 characters') })
      .strict()
      .optional(),
    delivery: z
      .object({ maxAttempts: z.number().int().min(1).max(20).default(5), backoffSeconds: z.number().min(0).max(86_400).default(60) })
      .strict()
      .default({ maxAttempts: 5, backoffSeconds: 60 }),
    /** What {{name}} prints for a customer without a name. */
    fallbackName: z.string().min(1).max(100).default('customer'),
  })
  .strict();
export type CampaignDefinitionInput = z.input<typeof CampaignDefinition>;
export type CampaignDefinition = z.output<typeof CampaignDefinition>;

export const Variant = z.object({ key: z.string(), segment: z.string(), offer: z.string(), channel: Channel });
export type Variant = z.infer<typeof Variant>;

export const AudienceCounts = z.object({
  /** Customers of the audience's segments on the latest refreshed date. */
  candidates: z.number().int(),
  globalControl: z.number().int(),
  /** Not in the global control, but without consent for any of the campaign's channels (or erased, merged). */
  noConsent: z.number().int(),
  treated: z.number().int(),
  control: z.number().int(),
  segmentsAsOf: z.string(),
  globalControlEpoch: z.number().int(),
});
export type AudienceCounts = z.infer<typeof AudienceCounts>;

export const CampaignDto = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['draft', 'launched']),
  createdAt: z.string(),
  launchedAt: z.string().nullable(),
  /** The definition as stored, the webhook secret left out. */
  definition: z.record(z.string(), z.unknown()),
  variants: z.number().int(),
  audience: AudienceCounts.nullable(),
});
export type CampaignDto = z.infer<typeof CampaignDto>;

export const CampaignDetail = CampaignDto.extend({ variantList: z.array(Variant) });

/** A campaign a customer was in, as the customer's 360 view shows it: the arm, and the message if treated. */
export const CustomerCampaign = z.object({
  campaignId: z.string(),
  name: z.string(),
  launchedAt: z.string().nullable(),
  arm: z.enum(['treated', 'control']),
  segment: z.string(),
  variant: z.string(),
  channel: Channel,
  /** The message sent to a treated customer; null for the control arm. */
  message: z
    .object({
      id: z.string(),
      status: z.string(),
      attempts: z.number().int(),
      sentAt: z.string().nullable(),
      statusAt: z.string().nullable(),
    })
    .nullable(),
});
export type CustomerCampaign = z.infer<typeof CustomerCampaign>;

export const PreviewBody = z.object({ customerId: z.string().min(1), variant: z.string().optional() }).strict();

export const Preview = z.object({
  campaign: z.string(),
  customerId: z.string(),
  variant: z.string(),
  channel: Channel,
  subject: z.string().nullable(),
  body: z.string(),
  context: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type Preview = z.infer<typeof Preview>;

export const LaunchBody = z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict();

export const LaunchResult = z.object({ campaign: z.string(), launchedAt: z.string(), audience: AudienceCounts, outbox: z.number().int() });

/** A status the delivery provider reports back. */
export const DeliveryStatusBody = z
  .object({
    status: z.enum(['delivered', 'opened', 'clicked', 'failed']),
    at: z.iso.datetime({ offset: true }).optional(),
    reason: z.string().max(500).optional(),
  })
  .strict();

export const DeliveryStatusResult = z.object({ id: z.string(), status: z.string(), changed: z.boolean() });

const Ci = z.object({ estimate: z.number(), low: z.number(), high: z.number() });
const Arm = z.object({
  n: z.number().int(),
  conversions: z.number().int(),
  conversionRate: z.number(),
  conversionCi: Ci,
  revenue: z.number(),
  revenuePerCustomer: z.number(),
  marginPerCustomer: z.number(),
});
/** A segment's effect: the experiments module's shape (harmed only when the whole interval is below zero). */
const SegmentRow = experimentContracts.Segment;

export const CampaignReport = z.object({
  campaign: z.string(),
  currency: z.string(),
  launchedAt: z.string(),
  windowEnds: z.string(),
  /** Whether the attribution window is over (the figures will not change any more). */
  complete: z.boolean(),
  arms: z.object({ treated: Arm, control: Arm }),
  effects: z.object({
    /** Treated − control conversion rate, Newcombe's hybrid score interval (95%). */
    conversion: Ci.nullable(),
    /**
     * The same difference with an always-valid 95% interval and p-value (mSPRT): valid however often the report is
     * looked at during the attribution window, unlike the fixed-horizon interval above.
     */
    conversionAlwaysValid: Ci.extend({ pValue: z.number(), tau: z.number(), method: z.string() }).nullable(),
    /** Treated − control revenue per customer, Welch's interval (95%). */
    revenuePerCustomer: Ci.nullable(),
  }),
  segments: z.object({ conversion: z.array(SegmentRow), revenuePerCustomer: z.array(SegmentRow) }),
  variants: z.array(z.object({ key: z.string(), n: z.number().int(), conversions: z.number().int() })),
  deliveries: z.record(z.string(), z.number().int()),
  money: z.object({
    marginPercent: z.number(),
    /** (margin per treated − margin per control customer) × treated customers, with the Welch interval carried through. */
    incrementalMargin: Ci.nullable(),
    costs: z.object({ messages: z.number(), discounts: z.number(), points: z.number(), total: z.number() }),
    /** incremental margin ÷ total cost; null without cost. */
    roi: z.number().nullable(),
  }),
});
export type CampaignReport = z.infer<typeof CampaignReport>;
