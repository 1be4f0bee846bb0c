/** Masks an identity value for roles that may not read personal data: "+447700900123" → "•••••••••0123". */
export function maskValue(v: string): string {
  if (v.length <= 4) return '•'.repeat(v.length);
  return '•'.repeat(v.length - 4) + v.slice(-4);
}
