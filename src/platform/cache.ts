/**
 * Reference data (the program, offers, partners) read on every till request and changed rarely: kept per database
 * for a few seconds. A change made through this process clears it at once (`clear`); other API processes see it
 * within `ttlMs`, which is what keeps them stateless.
 */
export function referenceCache<K extends object, T>(ttlMs: number, load: (key: K) => Promise<T>): { get: (key: K) => Promise<T>; clear: () => void } {
  let entries = new WeakMap<K, { at: number; value: Promise<T> }>();
  return {
    get(key) {
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = load(key);
      entries.set(key, { at: Date.now(), value });
      // A failed load is not kept.
      value.catch(() => entries.delete(key));
      return value;
    },
    clear() {
      entries = new WeakMap();
    },
  };
}
