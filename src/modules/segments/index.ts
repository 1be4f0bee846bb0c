/** Segments: the R×F grid, RFM scores and named segments, migration between dates. */
export {
  /** Places every customer with purchases on the grid as of a date (set-based; replaces that date's results). */
  refreshSegments,
  /** R, F, M summaries, the grid with counts and revenue, and the RFM segments, as of a date. */
  rfmReport,
  /** Who moved between cells from one date to another. */
  migrationReport,
  /** Stores new grid thresholds as the next version. */
  setGrid,
  /** The latest grid version, if any. */
  currentGrid,
  /** A customer's cell and scores on every refreshed date. */
  customerSegmentHistory,
  /** A page of the customers of a cell or RFM segment, by monetary value. */
  listSegmentCustomers,
  /** Every refreshed date. */
  listRefreshes,
  /** Validates a YYYY-MM-DD date, naming the field. */
  checkDate,
} from './segments.service.ts';
export type { RfmReport, MigrationReport, RefreshResult } from './segments.service.ts';
/** The customer's latest cell and RFM segment (the till's offers and sensitivity prior); every customer's latest cells. */
export { currentCells, latestCells } from './segments.repository.ts';
/** The grid's cells (names, actions, payback) and RFM segment rules. */
export { CELLS } from './domain/grid.ts';
export { RFM_RULES } from './domain/rfm.ts';
/** HTTP routes of the module. */
export { registerSegmentRoutes } from './segments.routes.ts';
/** Request and response schemas, shared with the console. */
export * as segmentContracts from './segments.contract.ts';
/** Behavioural clusters: computed set-based as of a date, stored per customer, described in words. */
export { runClustering, findClustering, customerClusterHistory } from './clusters.service.ts';
export type { ClusterReport } from './clusters.service.ts';
/** The module's jobs (segments.refresh: the daily set-based refresh), for the composition roots to register. */
export { segmentJobs, refreshSegmentsJob } from './segments.jobs.ts';
