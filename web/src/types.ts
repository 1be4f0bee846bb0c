// Types of the API's answers, inferred from its zod contracts. `import type` keeps zod and every server module out of
// the bundle: only the shapes cross over.
import type { z } from 'zod';
import type { MigrationReport, RfmReport, SegmentCustomersPage, SegmentCustomer } from '../../src/modules/segments/segments.contract.ts';
import type { FitReport, Overview as ValueOverviewT, CustomerValue, Prediction } from '../../src/modules/analytics/analytics.contract.ts';
import type { Role as StaffRole, StaffUser } from '../../src/modules/staff/staff.contract.ts';
import type {
  IMPORT_UPLOAD_FORMATS,
  ImportRun as ImportRunT,
  ImportRunList as ImportRunListT,
  ConsoleContext as ConsoleContextT,
  Overview,
} from '../../src/platform/http/console.contract.ts';
import type { Customer, CustomerList } from '../../src/modules/customers/customers.contract.ts';
import type { Receipt } from '../../src/modules/sales/sales.contract.ts';
import type {
  Experiment as ExperimentSchema,
  ExperimentList as ExperimentListSchema,
  Report as ExperimentReportSchema,
  SegmentReport as SegmentReportSchema,
  UpliftResult as UpliftResultSchema,
} from '../../src/modules/experiments/experiments.contract.ts';
import type { CampaignDto as CampaignDtoSchema, CampaignReport as CampaignReportSchema } from '../../src/modules/campaigns/campaigns.contract.ts';
import type {
  Customer360 as Customer360Schema,
  Loyalty360 as Loyalty360Schema,
} from '../../src/flows/customer-360/customer-360.contract.ts';
import type { Liability as LiabilitySchema, ProgramVersion as ProgramVersionSchema, ProgramVersionList as ProgramVersionListSchema, Settlement as SettlementSchema } from '../../src/modules/loyalty/loyalty.contract.ts';
import type { CreateOfferBody, Offer as OfferSchema, OfferChangeList } from '../../src/modules/offers/offers.contract.ts';
import type { StoreList } from '../../src/modules/catalog/catalog.contract.ts';
import type { QuoteBody, QuoteResponse } from '../../src/flows/till/till.contract.ts';

export type Rfm = z.infer<typeof RfmReport>;
export type RfmCell = Rfm['grid']['cells'][number];
export type Migration = z.infer<typeof MigrationReport>;
export type SegmentPage = z.infer<typeof SegmentCustomersPage>;
export type SegmentRow = z.infer<typeof SegmentCustomer>;
export type ValueOverview = z.infer<typeof ValueOverviewT>;
export type ValueRow = z.infer<typeof CustomerValue>;
export type FitQuality = z.infer<typeof FitReport>;
export type ValuePrediction = z.infer<typeof Prediction>;
export type CustomerT = z.infer<typeof Customer>;
export type CustomerListT = z.infer<typeof CustomerList>;
export type ReceiptT = z.infer<typeof Receipt>;

/** The 360 view (GET /customers/{id}/360), with its loyalty section (null without a program). */
export type Customer360 = z.infer<typeof Customer360Schema>;
export type Loyalty360 = z.infer<typeof Loyalty360Schema>;
export type LoyaltyCardT = Loyalty360['cards'][number];
export type LedgerEntryT = Loyalty360['entries'][number];
export type SensitivityStepT = Loyalty360['sensitivity']['steps'][number];
export type TargetedOfferT = Loyalty360['offers'][number];

export type Role = z.infer<typeof StaffRole>;
export type User = z.infer<typeof StaffUser>;
export type ConsoleOverview = z.infer<typeof Overview>;
export type ConsoleContext = z.infer<typeof ConsoleContextT>;
export type ImportFormat = (typeof IMPORT_UPLOAD_FORMATS)[number];
export type ImportRun = z.infer<typeof ImportRunT>;
export type ImportRunList = z.infer<typeof ImportRunListT>;

/** GET /segments/clusters answers a stored clustering; the contract types it loosely, so the console reads what it shows. */
export type ClusterTrait = { key: string; z?: number; category?: string };
export type ClusterProfile = {
  id: number;
  size: number;
  share: number;
  label: string;
  description: string;
  traits: ClusterTrait[];
  centroid: {
    recencyDays: number;
    frequency: number;
    monetary: number;
    tenureDays: number;
    interPurchaseDays: number | null;
    topCategories: { category: string; share: number }[];
  };
};
export type Clustering = { asOf: string; k: number; currency?: string; criterion?: { text: string }; clusters: ClusterProfile[] };

export type ExperimentT = z.infer<typeof ExperimentSchema>;
export type ExperimentListT = z.infer<typeof ExperimentListSchema>;
export type ExperimentReportT = z.infer<typeof ExperimentReportSchema>;
export type SegmentReportT = z.infer<typeof SegmentReportSchema>;
export type UpliftResultT = z.infer<typeof UpliftResultSchema>;
export type CampaignT = z.infer<typeof CampaignDtoSchema>;
export type CampaignListT = { campaigns: CampaignT[] };
export type CampaignReportT = z.infer<typeof CampaignReportSchema>;

export type ProgramVersionT = z.infer<typeof ProgramVersionSchema>;
export type ProgramConfigT = ProgramVersionT['config'];
export type ProgramVersionListT = z.infer<typeof ProgramVersionListSchema>;
export type OfferT = z.infer<typeof OfferSchema>;
export type OfferListT = { offers: OfferT[] };
export type OfferBodyT = z.input<typeof CreateOfferBody>;
export type OfferChangeListT = z.infer<typeof OfferChangeList>;
export type StoreListT = StoreList;
/** What the console sends to POST /till/quote (before the server's defaults), and what it answers. */
export type QuoteBodyT = z.input<typeof QuoteBody>;
export type QuoteT = z.infer<typeof QuoteResponse>;
export type SettlementT = z.infer<typeof SettlementSchema>;
export type LiabilityT = z.infer<typeof LiabilitySchema>;
