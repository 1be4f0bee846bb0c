import DataLoader from 'dataloader';

/**
 * Group commit: calls that arrive while `maxInFlight` groups are already running wait together and leave as the next
 * group, so under load one transaction (one round of statements, one WAL flush) serves many requests, and when the
 * server is idle a call leaves at once, alone. DataLoader does the collecting; its schedule function holds a group
 * back until a slot is free. `run` answers each key with its value or an Error, in order.
 */
export function groupRunner<K, V>(
  run: (keys: readonly K[]) => Promise<(V | Error)[]>,
  opts: { maxInFlight: number },
): (key: K) => Promise<V> {
  let free = opts.maxInFlight;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) setImmediate(next);
    else free++;
  };
  const loader = new DataLoader<K, V>(
    async (keys) => {
      try {
        return await run(keys);
      } finally {
        release();
      }
    },
    {
      cache: false,
      batchScheduleFn: (dispatch) => {
        if (free > 0) {
          free--;
          setImmediate(dispatch);
        } else waiting.push(dispatch);
      },
    },
  );
  return (key) => loader.load(key);
}
