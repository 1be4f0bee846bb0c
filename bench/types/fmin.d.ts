// fmin 0.0.2 ships no types; only what bench/clv.ts uses.
declare module 'fmin' {
  export function nelderMead(
    f: (x: number[]) => number,
    x0: number[],
    parameters?: { maxIterations?: number; minErrorDelta?: number; nonZeroDelta?: number; zeroDelta?: number },
  ): { x: number[]; fx: number };
}
