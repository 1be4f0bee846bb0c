// Module hooks that run the TypeScript sources: each .ts file is transpiled by esbuild when it is first imported, so
// that a clone needs no build step. tsx does the same, but always with esbuild's `keepNames`, which wraps every named
// function, arrow included, in a call that redefines its `name` each time the function is created: the till's commit
// spent a quarter of its server CPU on that (bench/RESULTS.md, 2026-11-24 sixth session). Without identifier
// minification, names survive without it. Registered by bin/patron.js (module.register); dev scripts keep tsx.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

/** The compiler options of tsconfig.json that change what esbuild emits. */
const tsconfigRaw = { compilerOptions: { verbatimModuleSyntax: true, target: 'ES2023' } };

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, 'utf8');
  const out = await transform(source, {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    sourcemap: 'inline',
    sourcefile: path,
    tsconfigRaw,
  });
  return { format: 'module', source: out.code, shortCircuit: true };
}
