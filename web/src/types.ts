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

/** The 360 view (GET /customers/{id}/360), composed from the contracts it is built of. */
export type Customer360 = {
  customer: CustomerT;
  totals: {
    currency: string;
    receipts: number;
    returns: number;
    revenue: string;
    revenueMinor: number;
    returnsAmount: string;
    returnsMinor: number;
    firstPurchaseAt: string | null;
    lastPurchaseAt: string | null;
  }[];
  timeline: { receipts: ReceiptT[]; nextCursor: string | null };
  segments: SegmentRow[];
  clusters: { asOf: string; cluster: number; distance: number }[];
  values: ValueRow[];
};

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
