#!/usr/bin/env node
// The `patron` CLI. Runs the TypeScript sources through bin/ts-loader.js (esbuild) so that a clone needs no build step.
import { register } from 'node:module';

register('./ts-loader.js', import.meta.url);
// Stack traces name the TypeScript lines (the loader inlines source maps).
process.setSourceMapsEnabled(true);
await import('../src/entry/cli.ts');
