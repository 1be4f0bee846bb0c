import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors.ts';

/** docs/errors.md is the documented table; it must list every code with its status, and nothing else. */
describe('error code table', () => {
  it('is documented in docs/errors.md, code for code', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows).toEqual(Object.entries(ERROR_CODES).map(([code, v]) => [code, v.status]));
  });

  it('uses module prefixes and only client or server statuses', () => {
    for (const [code, v] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(v.status >= 400 && v.status <= 599).toBe(true);
    }
  });
});
