/** Loyalty: the program as data, the points ledger in lots, cards, households, tiers, certificates, partners. */
export {
  /** The program in force (cached a few seconds per process), or LOYALTY_NO_PROGRAM. */
  getProgram,
  /** The program in force with its note and date, if any. */
  findProgramVersion,
  /** Any stored version of the program, and the list of them (the history). */
  getProgramVersion,
  listProgramVersions,
  /** Stores a new, validated version of the program. */
  putProgram,
  /** Pooled ladder counts per R×F cell: the sensitivity model's prior. */
  cellPriors,
  /** The till's reference data: program, ladder priors, partners by store (cached a few seconds per database). */
  tillReference,
  requireProgram,
  /** The till's view of wallets: pooled owner, balance, tier, ladder counts. One statement for one or many. */
  tillWallet,
  tillWallets,
  /** Cards' status, customer and wallet: one statement for many. */
  tillWalletsByCards,
  /** Ledger writes inside the caller's transaction (see ledger.repository.ts). */
  redeem,
  redeemMany,
  earn,
  earnMany,
  reverseEarned,
  restoreRedeemed,
  redemptionLots,
  /** A customer's balance, and the cached balance against the sum over transfers. */
  getBalance,
  checkBalance,
  ledgerEntries,
  /** The points liability over a period: issued, reversed, redeemed, restored, expired, adjusted; all wallets at both ends. */
  pointsLiability,
  /** The same in the program's terms: each figure at the point value, with the breakage expected. */
  liability,
  /** A manual credit or debit, idempotent by key. */
  adjust,
  /** Jobs: activation of pending lots, expiry of lots, tiers, the ladder priors. */
  activateDue,
  expireDue,
  evaluateTiers,
  refreshCellPriors,
  /** Tiers. */
  tierRanks,
  earnedTier,
  upgradeTiersAfterReceipts,
  findTier,
  /** What the till committed per receipt. */
  findTillReceipt,
  findTillReceipts,
  findSaleWithReturns,
  insertTillReceipts,
  addLadderCounts,
} from './loyalty.service.ts';
export type { CardAtTill, PointsLiability, Program, Wallet, TillReceiptRow, TillReference } from './loyalty.service.ts';
export {
  /** Cards and households. */
  getCard,
  issueCard,
  blockCard,
  replaceCard,
  cardsOf,
  joinHousehold,
  householdOf,
} from './loyalty.cards.ts';
export {
  /** Gift certificates. */
  issueCertificate,
  getCertificate,
  findCertificates,
  addCertificateMoves,
  /** Coalition partners and their settlement. */
  createPartner,
  listPartners,
  settlement,
} from './loyalty.certificates.ts';
export type { Partner, CertificateRow } from './loyalty.certificates.ts';
export {
  /** Opening balances carried over from another program: a CSV file read and checked whole, then credited once per card. */
  parseOpeningBalances,
  creditOpeningBalances,
} from './loyalty.opening.ts';
export type { OpeningRow, OpeningResult } from './loyalty.opening.ts';
/** Points arithmetic: earning, the redeemable maximum, redemption per line, proportional reversal. Pure. */
export { earnPoints, maxRedeemable, allocateRedemption, proportionalShare } from './domain/points.ts';
export type { EarnConfig, BurnConfig } from './domain/points.ts';
/** Discount sensitivity: Beta–Bernoulli per ladder step with the segment as prior. Pure. */
export { observe, buyProbabilities, recommend } from './domain/sensitivity.ts';
/** Request and response schemas. */
export * as loyaltyContracts from './loyalty.contract.ts';
export { registerLoyaltyRoutes } from './loyalty.routes.ts';
export { loyaltyJobs } from './loyalty.jobs.ts';
