/** Offers: definitions with budgets and limits, and the pure pricing engine (stacking, allocation, the ladder). */
export {
  /** Creates an offer (amounts in the program's currency, group one of the program's stacking groups). */
  createOffer,
  /** One offer, or OFFERS_NOT_FOUND. */
  getOffer,
  /** Active offers (and archived ones when asked), by priority. */
  listOffers,
  /** Changes the fields given of an active offer, checked against the offer as it is and the program. */
  updateOffer,
  /** Stops an offer from applying; its history stays. */
  archiveOffer,
  /** The active offers, cached per database for a few seconds. */
  activeOffers,
  /** The offers in force at a store and time, with budgets left and the customer's uses: at most two statements. */
  offersInForce,
  /** The same for several baskets at once (the till's group commit): still at most two statements. */
  offersInForceMany,
  /** Claims budgets and per-customer uses at commit; reports offers that ran out meanwhile. */
  claimOffersMany,
  /** The offers valid at a store and time by their dates and stores. Pure. */
  offersAt,
  /** Gives back budget on a return. */
  releaseBudgets,
} from './offers.service.ts';
/** An offer's making, edits and archiving, newest first, with who did them. */
export { listOfferChanges, type Actor, type OfferChange } from './offers.history.ts';
/** The pricing engine: applicability, stacking groups, allocation to lines, tax. Pure. */
export {
  priceBasket,
  /** The VAT included in a tax-inclusive amount, half to even: what the engine gives each line. */
  includedTax,
} from './domain/pricing.ts';
/** The discount ladder: optional steps the cashier may offer, smallest cost first. Pure. */
export { buildLadder } from './domain/ladder.ts';
export type * from './domain/types.ts';
/** Request and response schemas. */
export * as offerContracts from './offers.contract.ts';
export { registerOfferRoutes } from './offers.routes.ts';
