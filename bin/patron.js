#!/usr/bin/env node
// The `patron` CLI. Runs the TypeScript sources through tsx so that a clone needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/entry/cli.ts');
