/** Catalog: stores and products, small reference tables keyed by the retailer's own codes. */
export {
  /** Creates the store unless its code exists. */
  insertStoreIfMissing,
  /** The store with this code, if any. */
  findStore,
  /** All stores. */
  listStores,
  /** Bulk: adds unseen SKUs in one statement; returns how many were new. */
  insertProductsIfMissing,
} from './catalog.repository.ts';
export type { StoreRow } from './catalog.repository.ts';
/** HTTP routes of the module. */
export { registerCatalogRoutes } from './catalog.routes.ts';
