import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get } from './api.ts';
import { takeBootContext } from './boot.ts';
import type { ConsoleContext } from './types.ts';

type AsOfState = {
  /** The date the user picked, kept for the session so that pages agree with each other. */
  picked: string | undefined;
  /** The server's default (the date of the latest purchase), once some page has learnt it. */
  latest: string | undefined;
  setAsOf: (d: string) => void;
  setLatest: (d: string) => void;
};
const Ctx = createContext<AsOfState | null>(null);

export function AsOfProvider({ children }: { children: ReactNode }) {
  const [picked, setPicked] = useState<string | undefined>(() => sessionStorage.getItem('patron.asOf') ?? undefined);
  const [latest, setLatest] = useState<string>();
  const value = useMemo(
    () => ({
      picked,
      latest,
      setLatest,
      setAsOf: (d: string) => {
        sessionStorage.setItem('patron.asOf', d);
        setPicked(d);
      },
    }),
    [picked, latest],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

function useAsOfState(): AsOfState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAsOf outside AsOfProvider');
  return v;
}

/**
 * The as-of date every page reports on: the user's pick, else the server's default. A page opened directly, before
 * anyone learnt the default, asks the console's context endpoint for it once.
 */
export function useAsOf(): { asOf: string | undefined; setAsOf: (d: string) => void } {
  const v = useAsOfState();
  const known = v.picked ?? v.latest;
  useEffect(() => {
    if (known) return;
    let live = true;
    (takeBootContext() ?? get<ConsoleContext>('/console/context')).then(
      (o) => live && v.setLatest(o.defaultAsOf ?? new Date().toISOString().slice(0, 10)),
      () => live && v.setLatest(new Date().toISOString().slice(0, 10)),
    );
    return () => {
      live = false;
    };
  }, [known, v]);
  return { asOf: known, setAsOf: v.setAsOf };
}

/** For the overview, which asks for the default itself: the user's pick only, and a way to record the default. */
export function usePickedAsOf(): { picked: string | undefined; setAsOf: (d: string) => void; setLatest: (d: string) => void } {
  const v = useAsOfState();
  return { picked: v.picked, setAsOf: v.setAsOf, setLatest: v.setLatest };
}
