// What a page asks first, asked before React renders. main.tsx imports this module first and the bundle evaluates
// modules in import order, so these requests are on the wire while React and the pages evaluate, and while ECharts
// (a chunk of its own) is fetched and evaluated for the pages that draw a plot. Each page's own get() of the same URL
// takes the answer (api.ts prefetch); a page that asks for something else simply asks, so a stale entry here costs
// a request, never a wrong figure.
import { clearPrefetched, prefetch, request } from './api.ts';
import { loadEcharts } from './components/echarts-load.ts';
import type { ConsoleContext } from './types.ts';
import { minusDays } from './dates.ts';

const path = location.pathname;

let session: Promise<Response> | undefined = request('GET', '/auth/me', { quiet401: true });
// Taken, and its failure reported, by the session provider. Signed out, the answers asked ahead are 401s that the
// coming sign-in outdates; this handler runs before the provider's, so the pages after the sign-in ask anew.
session.catch(() => {
  context = undefined;
  clearPrefetched();
});

/** The requests of the pages that report as of a date, in the order their main element needs them. */
const asOfPages: { match: (p: string) => boolean; ask: (asOf: string) => void }[] = [
  {
    match: (p) => p.startsWith('/segments'),
    ask: (asOf) => {
      prefetch('/segments/rfm', { asOf });
      prefetch('/segments/migration', { from: minusDays(asOf, 90), to: asOf });
      prefetch('/segments/clusters', { asOf });
    },
  },
];
const asOfPage = asOfPages.find((p) => p.match(path));
const picked = sessionStorage.getItem('patron.asOf') ?? undefined;

// The default as-of date (the latest purchase's), unless the user picked one. A 401 here is left to /auth/me.
let context: Promise<ConsoleContext> | undefined =
  (asOfPage && !picked) || path.startsWith('/value')
    ? request('GET', '/console/context', { quiet401: true }).then((r) => r.json() as Promise<ConsoleContext>)
    : undefined;
context?.catch(() => {});

if (asOfPage) {
  if (picked) asOfPage.ask(picked);
  else
    void context?.then(
      (c) => asOfPage.ask(c.defaultAsOf ?? new Date().toISOString().slice(0, 10)),
      () => {},
    );
}
// The overview asks for the picked date, or with none for the server's default, which its answers carry.
if (path === '/') {
  prefetch('/segments/rfm', { asOf: picked });
  prefetch('/console/overview', { asOf: picked });
}
if (path.startsWith('/value')) prefetch('/analytics/clv/overview', { model: 'bgnbd', unit: 'week', buckets: 20, limit: 20 });
if (path.startsWith('/imports')) prefetch('/imports');
if (path.startsWith('/loyalty')) prefetch('/loyalty/program');
const customer = path.match(/^\/customers\/([^/]+)/)?.[1];
if (customer) prefetch(`/customers/${customer}/360`, { limit: 20 });
if (path === '/' || path.startsWith('/segments') || path.startsWith('/value')) void loadEcharts().catch(() => {});

/** The answer of the /auth/me asked at start, once; later callers ask again. */
export function takeBootSession(): Promise<Response> {
  const p = session ?? request('GET', '/auth/me', { quiet401: true });
  session = undefined;
  return p;
}

/** The /console/context asked at start, once; undefined afterwards, so later visits see new receipts' dates. */
export function takeBootContext(): Promise<ConsoleContext> | undefined {
  const p = context;
  context = undefined;
  return p;
}
