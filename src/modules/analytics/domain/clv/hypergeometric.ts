import hyp2f1 from '@stdlib/math-base-special-hyp2f1';

/**
 * ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, the case of the Pareto/NBD likelihood, where every term of the
 * Gauss series is positive.
 *
 * stdlib's hyp2f1 (a port of Cephes) is accurate to 1e-12 relative or better over this region (checked against the
 * series in hypergeometric.test.ts), except where c − a − b is a negative integer with large a and z near 1: there it
 * returns NaN (e.g. a = 107.03, b = 107, c = 108.03, z = 0.92, where the value is 4.6e117). In the Pareto/NBD this is
 * b = r + x with a whole r and a frequent buyer, which an optimizer's trial point can hit. It also overflows to
 * Infinity for large values whose logarithm the likelihood still needs. In both cases this falls back to the series
 * itself, summed with rescaling, as BTYD's h2f1 does (cran/BTYD, pnbd.LL).
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  const v = hyp2f1(a, b, c, z);
  if (Number.isFinite(v) && v > 0) return Math.log(v);
  return logHyp2f1Series(a, b, c, z);
}

/** The Gauss series, summed with a running log scale so that it never overflows. NaN when it does not converge. */
export function logHyp2f1Series(a: number, b: number, c: number, z: number, maxTerms = 5_000_000): number {
  if (z === 0) return 0;
  let logScale = 0;
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (term < 1e-17 * sum) return logScale + Math.log(sum);
    if (sum > 1e250) {
      logScale += Math.log(sum);
      term /= sum;
      sum = 1;
    }
  }
  return Number.NaN;
}
