/**
 * Reference data (the program, offers, partners) read on every till request and changed rarely: kept per database
 * for a few seconds. A change made through this process clears it at once (`clear`); other API processes see it
 * within `ttlMs` plus one load, which is what keeps them stateless.
 *
 * Once an entry is older than `ttlMs`, the next read starts a reload in the background and is answered with the
 * entry it has; the reload replaces the entry when it arrives. So no request waits for a reload (on the till, every
 * request arriving during one used to wait for it, a stall at the 99th percentile every few seconds). A failed reload
 * keeps the old entry and is tried again on a later read; only the first load of a key, or the first after `clear`,
 * is awaited.
 */
export function referenceCache<K extends object, T>(ttlMs: number, load: (key: K) => Promise<T>): { get: (key: K) => Promise<T>; clear: () => void } {
  type Entry = { at: number; value: Promise<T>; refreshing: boolean };
  let entries = new WeakMap<K, Entry>();
  return {
    get(key) {
      const hit = entries.get(key);
      if (hit) {
        if (!hit.refreshing && Date.now() - hit.at >= ttlMs) {
          hit.refreshing = true;
          const table = entries;
          const next = load(key);
          next.then(
            () => {
              // Unless cleared or replaced meanwhile.
              if (table === entries && table.get(key) === hit) table.set(key, { at: Date.now(), value: next, refreshing: false });
            },
            () => {
              hit.refreshing = false;
            },
          );
        }
        return hit.value;
      }
      const value = load(key);
      const entry: Entry = { at: Date.now(), value, refreshing: false };
      entries.set(key, entry);
      // A failed first load is not kept.
      value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      return value;
    },
    clear() {
      entries = new WeakMap();
    },
  };
}
