import { describe, expect, it } from 'vitest';
import { groupRunner } from './group.ts';

/** Lets timers, immediates and promise callbacks queued so far run. */
const settle = () => new Promise((r) => setTimeout(r, 10));

/** A run that records the groups it was given and answers each key after `release` is called. */
function recorder() {
  const groups: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (keys: readonly number[]) => {
    groups.push([...keys]);
    await new Promise<void>((r) => gates.push(r));
    return keys.map((k) => (k < 0 ? new Error(`bad ${k}`) : k * 10));
  };
  const releaseAll = async () => {
    while (gates.length > 0) gates.shift()!();
    await settle();
  };
  return { groups, run, releaseAll };
}

describe('groupRunner', () => {
  it('sends a call at once when idle, and groups the calls that arrive while the slots are busy', async () => {
    const r = recorder();
    const call = groupRunner(r.run, { maxInFlight: 1 });
    const first = call(1);
    await settle();
    expect(r.groups).toEqual([[1]]);
    const later = [call(2), call(3), call(4)];
    await settle();
    // The slot is busy: the three wait together.
    expect(r.groups).toEqual([[1]]);
    await r.releaseAll();
    expect(r.groups).toEqual([[1], [2, 3, 4]]);
    await r.releaseAll();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('runs up to maxInFlight groups at once', async () => {
    const r = recorder();
    const call = groupRunner(r.run, { maxInFlight: 2 });
    const a = call(1);
    await settle();
    const b = call(2);
    await settle();
    const c = call(3);
    await settle();
    expect(r.groups).toEqual([[1], [2]]);
    await r.releaseAll();
    expect(r.groups).toEqual([[1], [2], [3]]);
    await r.releaseAll();
    expect(await Promise.all([a, b, c])).toEqual([10, 20, 30]);
  });

  it('rejects only the calls whose answer is an error', async () => {
    const r = recorder();
    const call = groupRunner(r.run, { maxInFlight: 1 });
    const p = [call(1), call(-2), call(3)].map((x) =>
      x.then(
        (v) => ({ v }),
        (e: Error) => ({ e: e.message }),
      ),
    );
    await settle();
    await r.releaseAll();
    expect(await Promise.all(p)).toEqual([{ v: 10 }, { e: 'bad -2' }, { v: 30 }]);
  });
});
