import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api.ts';

export type Loaded<T> = { data?: T; error?: ApiError; loading: boolean; reload: () => void };

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
}

/** Loads `fn()` whenever `deps` change; a stale answer (deps changed meanwhile) is dropped. `enabled` false skips it. */
export function useApi<T>(fn: () => Promise<T>, deps: readonly unknown[], enabled = true): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: enabled });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    if (!enabled) {
      setState({ loading: false });
      return;
    }
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    fn().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (e: unknown) => mine === seq.current && setState({ error: asApiError(e), loading: false }),
    );
  }, [...deps, tick, enabled]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export { asApiError };
