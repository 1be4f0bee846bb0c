/**
 * Sorts `xs` in place, as Array.prototype.sort does (stably), but leaves an array already in order untouched: V8's
 * sort copies the array into a work area of its own even when nothing moves, and pricing sorts small arrays that are
 * mostly in order already, many times per basket. Returns `xs`.
 */
export function sortInPlace<T>(xs: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < xs.length; i++) if (compare(xs[i - 1]!, xs[i]!) > 0) return xs.sort(compare);
  return xs;
}
