// HTTP load for the benchmarks (not a benchmark itself): closed-loop throughput through autocannon, and an open-loop
// fixed offered rate through a paced generator of its own.
//
// Why not autocannon's `overallRate` for the fixed rate: its clients send each second's whole quota back to back as
// soon as the second starts and then wait for the next one (measured: all 1,000 requests of a second left within its
// first 250 ms), so "1,000/s" is a burst at full concurrency, not a steady load; and its coordinated-omission
// correction takes ceil(1 / rate) = 1 ms as the expected interval, which adds a synthetic sample per millisecond of
// every response's latency. fixedRate sends request k at start + k / rate instead, on as many keep-alive connections as
// are needed at once (up to `connections`), and measures each from its own send.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import autocannon from 'autocannon';

/** The body of the i-th request of a run (0-based, counted over the whole run, warm-up included). */
export type Bodies = (i: number) => string;

export type LoadTarget = {
  url: string;
  headers: Record<string, string>;
  bodies: Bodies;
  method?: 'POST' | 'PUT';
};

export type Latency = { p50: number; p90: number; p99: number; max: number; mean: number };

export type ThroughputResult = {
  connections: number;
  durationSec: number;
  /** Completed requests per second, whatever their status. */
  requestsPerSec: number;
  /** 2xx responses per second: what the goals compare. */
  okPerSec: number;
  requests: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** Milliseconds, of 2xx responses (autocannon's histogram, 1 ms resolution). */
  latencyMs: Latency;
  /** Up to three bodies of non-2xx responses, to see what went wrong. */
  errorSamples: string[];
};

export type FixedRateResult = {
  offeredRate: number;
  connections: number;
  durationSec: number;
  /** Requests sent per second of the measured window. */
  sentRate: number;
  /** 2xx responses per second, from the window's start to the last response. */
  achievedRate: number;
  requests: number;
  /** Requests sent in the warm-up before the measured window. */
  warmupRequests: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** Milliseconds from each request's write to the end of its response, over 2xx responses. */
  latencyMs: Latency;
  /**
   * Milliseconds from each request's scheduled time to the end of its response: latencyMs plus the generator's own
   * lateness, which would include any wait for a free connection (the coordinated-omission-free figure).
   */
  fromScheduleMs: Latency;
  /**
   * latencyMs over successive windows of the run (by the requests' scheduled times), to see whether the tail is the
   * server warming up (JIT compilation, caches) or steady.
   */
  windows: { fromSec: number; requests: number; p50: number; p99: number }[];
  /** How late the generator sent, in ms (its timer granularity is about 1 ms). */
  sendLagMs: { p50: number; p99: number; max: number };
  /** The most requests in flight at once; at `connections`, requests had to wait for a connection. */
  maxInFlight: number;
  /** Requests that found every connection busy and waited. Should be 0. */
  queued: number;
  /**
   * At least 95% of the offered rate answered with 2xx. When false, `shortfall` says what happened, and the latencies
   * are those of a saturated server, not of the offered load.
   */
  achieved: boolean;
  /** Sending stopped early: a whole second of requests was waiting for a connection (the server could not keep up). */
  stoppedEarly: boolean;
  shortfall: string | null;
  errorSamples: string[];
};

/** The p-th percentile (0–100) of ascending values, by nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function summarize(values: number[]): Latency {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.length ? s[s.length - 1]! : NaN, mean: s.length ? sum / s.length : NaN };
}

function autocannonRun(target: LoadTarget, connections: number, durationSec: number, counter: { i: number }, errorSamples: string[]): Promise<autocannon.Result> {
  const method = target.method ?? 'POST';
  return autocannon({
    url: target.url,
    method,
    connections,
    duration: durationSec,
    headers: { 'content-type': 'application/json', ...target.headers },
    requests: [
      {
        method,
        setupRequest: (req) => ({ ...req, body: target.bodies(counter.i++) }),
        onResponse: (status, body) => {
          if ((status < 200 || status > 299) && errorSamples.length < 3) errorSamples.push(`${status} ${body.slice(0, 500)}`);
        },
      },
    ],
  });
}

/**
 * Closed loop: `connections` keep-alive connections, each sending its next request as soon as the previous answer
 * arrives, for `durationSec`.
 */
export async function throughput(opts: LoadTarget & { connections: number; durationSec: number }): Promise<ThroughputResult> {
  const counter = { i: 0 };
  const errorSamples: string[] = [];
  const r = await autocannonRun(opts, opts.connections, opts.durationSec, counter, errorSamples);
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = v.count ?? 0;
  const ok = r['2xx'];
  return {
    connections: opts.connections,
    durationSec: r.duration,
    requestsPerSec: r.requests.total / r.duration,
    okPerSec: ok / r.duration,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    statusCodes,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
    errorSamples,
  };
}

type Sample = { scheduled: number; sent: number; done: number; status: number };

function byWindow(samples: readonly Sample[], start: number, windowMs: number): FixedRateResult['windows'] {
  const groups: number[][] = [];
  for (const s of samples) (groups[Math.floor((s.scheduled - start) / windowMs)] ??= []).push(s.done - s.sent);
  return Array.from(groups, (g, i) => {
    const l = summarize(g ?? []);
    return { fromSec: (i * windowMs) / 1000, requests: g?.length ?? 0, p50: l.p50, p99: l.p99 };
  });
}

/**
 * Open loop: request k is sent at start + k / rate ms whether or not earlier ones have been answered, on a keep-alive
 * pool of up to `connections` connections, for `durationSec`. The result says whether the rate was achieved (95% of
 * it answered with 2xx per second); the caller must not read its latencies as those of the offered load when not.
 * Sending stops early once a second's worth of requests waits for a connection, so that a server that cannot keep up
 * does not turn the phase into minutes of backlog. With `warmupSec`, it first sends at the rate for that long, unmeasured,
 * on the same connections, so that the measured window neither opens connections nor meets code not yet compiled.
 */
export async function fixedRate(
  opts: LoadTarget & { rate: number; durationSec: number; connections: number; timeoutMs?: number; windowSec?: number; warmupSec?: number },
): Promise<FixedRateResult> {
  const url = new URL(opts.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections, maxFreeSockets: opts.connections });
  const headers: IncomingHttpHeaders = { 'content-type': 'application/json', ...opts.headers };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const interval = 1000 / opts.rate;
  let counter = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let queued = 0;
  let stoppedEarly = false;
  let errors = 0;
  const errorSamples: string[] = [];

  function send(scheduled: number, record: Sample[]): Promise<void> {
    const body = opts.bodies(counter++);
    return new Promise<void>((resolve) => {
      if (inFlight >= opts.connections) queued++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const sent = performance.now();
      const req = httpRequest(
        { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: opts.method ?? 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const status = res.statusCode ?? 0;
          const failed = status < 200 || status > 299;
          const chunks: Buffer[] = [];
          if (failed && errorSamples.length < 3) res.on('data', (c: Buffer) => chunks.push(c));
          else res.resume();
          res.on('end', () => {
            inFlight--;
            if (failed && chunks.length) errorSamples.push(`${status} ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`);
            record.push({ scheduled, sent, done: performance.now(), status });
            resolve();
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e) => {
        inFlight--;
        errors++;
        if (errorSamples.length < 3) errorSamples.push(`error ${e.message}`);
        resolve();
      });
      req.end(body);
    });
  }

  /** Sends at the rate for `seconds`; resolves when every request has been answered (or failed). */
  async function pace(seconds: number, record: Sample[]): Promise<{ start: number }> {
    const total = Math.round(seconds * opts.rate);
    const pending: Promise<void>[] = [];
    const start = performance.now();
    let k = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        while (k < total && start + k * interval <= now) {
          if (inFlight - opts.connections >= opts.rate) {
            stoppedEarly = true;
            resolve();
            return;
          }
          pending.push(send(start + k++ * interval, record));
        }
        if (k < total) setTimeout(tick, Math.max(0, start + k * interval - performance.now()));
        else resolve();
      };
      tick();
    });
    await Promise.all(pending);
    return { start };
  }

  try {
    // The warm-up runs on the same connections, so that the measured window does not open them.
    const warm: Sample[] = [];
    if (opts.warmupSec) {
      await pace(opts.warmupSec, warm);
      maxInFlight = 0;
      queued = 0;
      errors = 0;
      errorSamples.length = 0;
      stoppedEarly = false;
    }
    const samples: Sample[] = [];
    const { start } = await pace(opts.durationSec, samples);
    const statusCodes: Record<string, number> = {};
    const ok = samples.filter((s) => s.status >= 200 && s.status <= 299);
    for (const s of samples) statusCodes[s.status] = (statusCodes[s.status] ?? 0) + 1;
    const lastDone = samples.reduce((m, s) => Math.max(m, s.done), start);
    const lags = Float64Array.from(samples.map((s) => s.sent - s.scheduled)).sort();
    const achievedRate = ok.length / ((lastDone - start) / 1000);
    const sent = samples.length + errors;
    const achieved = !stoppedEarly && achievedRate >= 0.95 * opts.rate;
    return {
      offeredRate: opts.rate,
      connections: opts.connections,
      durationSec: opts.durationSec,
      sentRate: sent / opts.durationSec,
      achievedRate,
      requests: sent,
      warmupRequests: warm.length,
      non2xx: samples.length - ok.length,
      errors,
      statusCodes,
      latencyMs: summarize(ok.map((s) => s.done - s.sent)),
      fromScheduleMs: summarize(ok.map((s) => s.done - s.scheduled)),
      windows: byWindow(ok, start, (opts.windowSec ?? 5) * 1000),
      sendLagMs: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.length ? lags[lags.length - 1]! : NaN },
      maxInFlight,
      queued,
      achieved,
      stoppedEarly,
      shortfall: achieved
        ? null
        : `${opts.rate}/s offered, ${achievedRate.toFixed(0)}/s answered with 2xx` +
          (stoppedEarly ? `; sending stopped after ${sent} requests, with a second's worth waiting for a connection` : '') +
          `; ${samples.length - ok.length} non-2xx, ${errors} errors, ${queued} queued for a connection; first errors: ${errorSamples.join(' | ') || 'none'}`,
      errorSamples,
    };
  } finally {
    agent.destroy();
  }
}
