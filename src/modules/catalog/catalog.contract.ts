import { z } from 'zod';

/** A store as GET /api/v1/stores lists it: the till's and the console's store codes. */
export const Store = z.object({ code: z.string(), name: z.string(), currency: z.string(), createdAt: z.string() });

export const StoreList = z.object({ stores: z.array(Store) });
export type StoreList = z.infer<typeof StoreList>;
