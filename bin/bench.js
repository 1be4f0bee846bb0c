#!/usr/bin/env node
// `npm run bench`: lists the benchmarks in bench/, or runs one (`npm run bench -- import --reps 5`).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../bench/', import.meta.url));
const [name, ...rest] = process.argv.slice(2);

if (!name) {
  const names = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const width = Math.max(...names.map((f) => f.length - 3)) + 2;
  for (const f of names) {
    const first = readFileSync(new URL(f, `file://${dir}`), 'utf8').split('\n').find((l) => l.trim().startsWith('//') || l.trim().startsWith('/*'));
    const description = (first ?? '').replace(/^\s*(\/\/|\/\*\*?)\s*/, '').replace(/\s*\*\/\s*$/, '');
    console.log(`${f.slice(0, -3).padEnd(width)} ${description}`);
  }
  console.log('\nRun one with: npm run bench -- <name> [options]');
  process.exit(0);
}
if (!/^[\w-]+$/.test(name) || !readdirSync(dir).includes(`${name}.ts`)) {
  console.error(`No benchmark '${name}' in bench/. Run \`npm run bench\` for the list.`);
  process.exit(2);
}
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
const r = spawnSync(tsx, [`${dir}${name}.ts`, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
