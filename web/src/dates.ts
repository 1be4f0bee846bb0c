/** A YYYY-MM-DD date `days` days earlier, in UTC. No imports, so that boot.ts can use it before React evaluates. */
export function minusDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}
