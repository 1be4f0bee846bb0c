#!/usr/bin/env node
// The `patron` CLI. Runs the TypeScript sources without a build step: bundled by esbuild on first use (bin/bundle.js),
// or else each file transpiled as it is imported (bin/ts-loader.js).
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { cliBundle } from './bundle.js';

// Stack traces name the TypeScript lines (the bundle and the loader inline source maps).
process.setSourceMapsEnabled(true);
const bundle = await cliBundle();
if (bundle) await import(pathToFileURL(bundle).href);
else {
  register('./ts-loader.js', import.meta.url);
  await import('../src/entry/cli.ts');
}
