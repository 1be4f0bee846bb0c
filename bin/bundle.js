// The CLI's sources bundled into one module by esbuild, so that a start does not transpile and link each of its
// 170-odd TypeScript files one by one: `patron --help` took 3.5 s that way, and 1.9 s from the bundle. The bundle is
// node_modules/.cache/patron/cli.mjs, built on first use and again whenever a file under src/ is newer than it (a
// change, a checkout, a deleted file's folder). Packages stay outside it, resolved from node_modules as before. When
// it cannot be built (a read-only checkout, say), bin/patron.js runs the sources through bin/ts-loader.js instead.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = join(ROOT, 'src');
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'patron');
const OUT = join(OUT_DIR, 'cli.mjs');

/** The latest change under `dir`: files' and folders' modification times (a deletion changes its folder's). */
function newest(dir) {
  let latest = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** The bundle's path, built first when missing or older than the sources; null when it cannot be built. */
export async function cliBundle() {
  if (process.env.PATRON_NO_BUNDLE === '1') return null;
  try {
    if (statSync(OUT).mtimeMs >= newest(SOURCES)) return OUT;
  } catch {
    // No bundle yet.
  }
  // Written beside, then renamed into place: processes starting together never read a half-written bundle.
  const draft = `${OUT}.${process.pid}.tmp`;
  try {
    const { build } = await import('esbuild');
    mkdirSync(OUT_DIR, { recursive: true });
    await build({
      entryPoints: [join(SOURCES, 'entry', 'cli.ts')],
      outfile: draft,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      target: `node${process.versions.node}`,
      // Stack traces name the TypeScript files and lines.
      sourcemap: 'inline',
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, target: 'ES2023' } },
      logLevel: 'silent',
    });
    renameSync(draft, OUT);
    return OUT;
  } catch {
    rmSync(draft, { force: true });
    return null;
  }
}
