import { describe, expect, it } from 'vitest';
import { referenceCache } from './cache.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('referenceCache', () => {
  it('answers from the entry while a reload runs in the background, then from the reloaded one', async () => {
    let version = 0;
    let release: (() => void) | undefined;
    const cache = referenceCache<object, number>(20, async () => {
      version++;
      if (version > 1) await new Promise<void>((r) => (release = r));
      return version;
    });
    const key = {};
    expect(await cache.get(key)).toBe(1);
    await sleep(30);
    // Stale: the read is answered at once with the old value, and one reload starts.
    expect(await cache.get(key)).toBe(1);
    expect(await cache.get(key)).toBe(1);
    expect(version).toBe(2);
    release!();
    await sleep(5);
    expect(await cache.get(key)).toBe(2);
  });

  it('keeps the old entry when a reload fails, and tries again later', async () => {
    let calls = 0;
    const cache = referenceCache<object, string>(10, async () => {
      calls++;
      if (calls === 2) throw new Error('database away');
      return `v${calls}`;
    });
    const key = {};
    expect(await cache.get(key)).toBe('v1');
    await sleep(15);
    expect(await cache.get(key)).toBe('v1'); // starts the reload that fails
    await sleep(5);
    expect(await cache.get(key)).toBe('v1'); // starts another, which succeeds
    await sleep(5);
    expect(await cache.get(key)).toBe('v3');
  });

  it('loads afresh after clear, and does not keep a failed first load', async () => {
    let calls = 0;
    const cache = referenceCache<object, number>(60_000, async () => {
      calls++;
      if (calls === 1) throw new Error('not yet');
      return calls;
    });
    const key = {};
    await expect(cache.get(key)).rejects.toThrow('not yet');
    expect(await cache.get(key)).toBe(2);
    cache.clear();
    expect(await cache.get(key)).toBe(3);
  });
});
