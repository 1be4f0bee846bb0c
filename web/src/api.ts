/** An error answer of the API (application/problem+json), or a network failure (status 0, code NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** The fields a 400 or 422 names (problem+json `fields`), e.g. `body.lines.0.unitPrice`. */
    readonly fields: readonly { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

type Unauthorized = (code: string) => void;
let onUnauthorized: Unauthorized = () => {};

/** Who handles a 401 on an ordinary call: the session provider, which sends the user back to the login page. */
export function setUnauthorizedHandler(fn: Unauthorized): void {
  onUnauthorized = fn;
}

export type Query = Record<string, string | number | undefined | null>;

function url(path: string, query?: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `/api/v1${path}${s ? `?${s}` : ''}`;
}

async function toError(res: Response): Promise<ApiError> {
  let body: { code?: string; message?: string; requestId?: string; fields?: { field: string; message: string }[] } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // A proxy or a crashed server may answer without a problem body; the status still says enough.
  }
  return new ApiError(
    res.status,
    body.code ?? `HTTP_${res.status}`,
    body.message ?? res.statusText,
    body.requestId,
    Array.isArray(body.fields) ? body.fields : [],
  );
}

/**
 * Calls the API with the session cookie. Every non-GET carries `x-patron-console: 1`, which the server requires of
 * cookie-authenticated writes (a cross-site form cannot set it). `quiet401` leaves a 401 to the caller (login, me).
 */
export async function request(
  method: string,
  path: string,
  opts: { query?: Query; json?: unknown; body?: BodyInit; contentType?: string; quiet401?: boolean } = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, text/csv' };
  if (method !== 'GET') headers['x-patron-console'] = '1';
  let body: BodyInit | undefined = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.contentType) headers['content-type'] = opts.contentType;
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), { method, headers, body, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !opts.quiet401) onUnauthorized(err.code);
    throw err;
  }
  return res;
}

// GETs started ahead of the page that will ask for them (boot.ts), by URL; each is handed out once.
const prefetched = new Map<string, Promise<Response>>();

/** Starts a GET now, for a page about to render; its `get` of the same path and query takes the answer. */
export function prefetch(path: string, query?: Query): void {
  const key = url(path, query);
  if (prefetched.has(key)) return;
  const p = request('GET', path, { query, quiet401: true });
  p.catch(() => {}); // the page's get() reports the failure
  prefetched.set(key, p);
}

/** Drops what was asked ahead: after a failed session check, those answers are 401s that a sign-in outdates. */
export function clearPrefetched(): void {
  prefetched.clear();
}

async function takePrefetched(key: string): Promise<Response | undefined> {
  const p = prefetched.get(key);
  if (!p) return undefined;
  prefetched.delete(key);
  try {
    return await p;
  } catch (e) {
    // Asked quietly ahead of time; a 401 is reported now, as an ordinary call would have.
    if (e instanceof ApiError && e.status === 401) onUnauthorized(e.code);
    throw e;
  }
}

export async function get<T>(path: string, query?: Query): Promise<T> {
  const res = (await takePrefetched(url(path, query))) ?? (await request('GET', path, { query }));
  return (await res.json()) as T;
}

async function sendJson<T>(method: 'PUT' | 'PATCH', path: string, json: unknown): Promise<T> {
  const res = await request(method, path, { json });
  return (await res.json()) as T;
}

export const put = <T>(path: string, json: unknown): Promise<T> => sendJson<T>('PUT', path, json);
export const patch = <T>(path: string, json: unknown): Promise<T> => sendJson<T>('PATCH', path, json);

export async function post<T>(path: string, json?: unknown, query?: Query): Promise<T> {
  const res = await request('POST', path, { json: json ?? {}, query });
  return (res.status === 204 ? undefined : await res.json()) as T;
}
