import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get } from './api.ts';
import type { ConsoleOverview } from './types.ts';

type AsOf = { asOf: string | undefined; setAsOf: (d: string) => void };
const Ctx = createContext<AsOf | null>(null);

/**
 * The as-of date every page reports on. It starts as the server's default (the overview's `asOf`, the date of the
 * latest data) and, once the user picks another, stays for the session so that pages agree with each other.
 */
export function AsOfProvider({ children }: { children: ReactNode }) {
  const [asOf, setAsOfState] = useState<string | undefined>(() => sessionStorage.getItem('patron.asOf') ?? undefined);
  const value = useMemo(
    () => ({
      asOf,
      setAsOf: (d: string) => {
        sessionStorage.setItem('patron.asOf', d);
        setAsOfState(d);
      },
    }),
    [asOf],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** The as-of date, asking the server for its default when none is set yet (a page opened directly). */
export function useAsOf(): AsOf & { ready: boolean } {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAsOf outside AsOfProvider');
  const [fallback, setFallback] = useState<string>();
  useEffect(() => {
    if (v.asOf) return;
    let live = true;
    get<ConsoleOverview>('/console/overview').then(
      (o) => live && setFallback(o.asOf),
      () => live && setFallback(new Date().toISOString().slice(0, 10)),
    );
    return () => {
      live = false;
    };
  }, [v.asOf]);
  const asOf = v.asOf ?? fallback;
  return { asOf, setAsOf: v.setAsOf, ready: !!asOf };
}
