/** Campaigns: audiences from segments, content variants from one template, control groups, outbox and webhook delivery, ROI. */
export {
  /** Validates a definition (naming every bad field, unknown segment or template placeholder) and stores it with its variants. */
  createCampaign,
  /** Every campaign, newest first. */
  listCampaigns,
  /** A campaign with its variants, or CAMPAIGNS_NOT_FOUND. */
  getCampaign,
  /** Renders a variant with a real customer's data. */
  previewCampaign,
  /** Freezes the audience (treated and control by a stable hash) and writes the outbox, in one transaction. */
  launchCampaign,
  /** The audience as it stands now, without writing anything (the same arms a launch gives). */
  planAudience,
  /** Treated against control: effects with 95% intervals, per segment and variant, cost and ROI. */
  campaignReport,
  /** A new epoch of the global control group. */
  redrawGlobalControl,
  /** Whether a customer is in the global control group now. */
  isInGlobalControl,
  /** The global control epoch in force at a time (the latest drawn before it, else the first), for period reports. */
  globalControlAt,
  /** Launches draft campaigns whose schedule has started. */
  launchDue,
  /** The campaigns a customer was in, with the arm and the message of a treated one (the 360 view). */
  customerCampaigns,
} from './campaigns.service.ts';
export {
  /** Seals webhook secrets stored in plain text before secrets were sealed; run at start. */
  sealWebhookSecrets,
} from './campaigns.webhook.ts';
export {
  /** Validation of a definition and its variants, without storing anything. */
  parseDefinition,
  generateVariants,
} from './campaigns.definition.ts';
export {
  /** One pass over the outbox: posts due messages to their webhooks, HMAC-signed, retrying with backoff. */
  deliverDue,
  /** A delivery status from the provider's callback, verified by its signature. */
  recordDeliveryStatus,
  /** The outbox of a campaign, message by message. */
  campaignDeliveries,
  /** The webhook signature (`sha256=<hex>` HMAC-SHA256 of the raw body) and its constant-time check. */
  signBody,
  verifySignature,
} from './campaigns.delivery.ts';
export type { DeliverSummary } from './campaigns.delivery.ts';
/** The placeholders a template may name. */
export { PLACEHOLDERS } from './domain/template.ts';
/** The stable draws: campaign control, global control, offer. */
export { stableUnit, inCampaignControl, inGlobalControl, offerIndex } from './domain/assign.ts';
/** Request and response schemas, shared with the console. */
export * as campaignContracts from './campaigns.contract.ts';
/** HTTP routes of the module. */
export { registerCampaignRoutes } from './campaigns.routes.ts';
/** The module's jobs: campaigns.deliver (every minute), campaigns.redraw-global-control (quarterly), campaigns.launch-due. */
export { campaignJobs } from './campaigns.jobs.ts';
