// Small helpers shared by the benchmarks (not a benchmark itself).

/** The median; the midpoint of the two middle values for an even count. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function round(x: number, d = 3): number {
  return Math.round(x * 10 ** d) / 10 ** d;
}

/** Seconds since a process.hrtime.bigint() reading. */
export function seconds(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e9;
}

/** Human output: stderr when --json is given, so that stdout ends with one parseable line. */
export function logger(json: boolean | undefined): (...a: unknown[]) => void {
  return (...a) => (json ? console.error(...a) : console.log(...a));
}
