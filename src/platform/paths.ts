import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root: the nearest folder above this module that holds Patron's package.json. Found, not fixed
 * relative to this file, because the same code runs from its sources and from the bundle that bin/patron.js builds
 * under node_modules/.cache.
 */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'patron') return dir;
    } catch {
      // No package.json here, or not ours: look higher.
    }
    if (dirname(dir) === dir) throw new Error(`Patron's package.json was not found above ${start}.`);
  }
}

/** The package version. */
export const VERSION: string = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
