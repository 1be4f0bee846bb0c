import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { ROOT } from '../paths.ts';

/** The web console's sources (web/) and its production build (web/dist). */
export const CONSOLE_DIR = join(ROOT, 'web');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

export function consoleBuilt(dist = CONSOLE_DIST): boolean {
  return existsSync(join(dist, 'index.html'));
}

/**
 * Builds the console with Vite when web/dist is missing (a fresh clone's first `npm start`). Vite is a development
 * dependency: without it the API still runs, and the caller is told why the console is absent.
 */
export async function ensureConsoleBuilt(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<boolean> {
  if (consoleBuilt()) return true;
  let viteBin: string;
  try {
    viteBin = join(dirname(createRequire(join(ROOT, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    log('The web console is not built and Vite is not installed (npm ci installs it); serving the API only.');
    return false;
  }
  log('Building the web console (web/dist) with Vite; this happens once.');
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [viteBin, 'build', CONSOLE_DIR, '--logLevel', 'warn'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (c) => resolve(c ?? 1));
    child.on('error', () => resolve(1));
  });
  if (code !== 0 || !consoleBuilt()) {
    log(`Building the web console failed (exit code ${code}); serving the API only. Run \`npm run build\` to see why.`);
    return false;
  }
  return true;
}

/**
 * Serves the console's build at `/`. Hashed assets are cached for good; index.html never, so a new build is picked
 * up on reload. Any other GET outside /api answers index.html, so a page's address can be opened directly (the
 * console routes on the client). Unknown /api paths keep their problem+json 404. Without a build, `/` says how to build it.
 */
export async function registerConsole(app: FastifyInstance, dist = CONSOLE_DIST): Promise<void> {
  if (!consoleBuilt(dist)) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><meta charset="utf-8"><title>Patron</title><h1>Patron</h1>` +
            `<p>The web console is not built: run <code>npm run build</code> (or <code>npm start</code>, which builds it).</p>` +
            `<p>The API is under <code>/api/v1</code>; its OpenAPI document is at <a href="/api/openapi.json">/api/openapi.json</a>; ` +
            `health at <a href="/healthz">/healthz</a>.</p>`,
        ),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    wildcard: false,
    index: false,
    schemaHide: true,
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('cache-control', path.includes(`${join(dist, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/') || path === '/api' || path === '/healthz' || path.startsWith('/assets/')) {
      throw new AppError('NOT_FOUND', `No route GET ${path}.`);
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
