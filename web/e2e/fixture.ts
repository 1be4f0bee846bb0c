import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/entry/server.ts';
import { createUser } from '../../src/modules/staff/index.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { ensureConsoleBuilt } from '../../src/platform/http/console.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { openTestDatabase } from '../../test/db.ts';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';

/** Debian's Chromium; the tests never download a browser of their own. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Where screenshots go for a reviewer to look at (git-ignored). */
export const SHOTS = fileURLToPath(new URL('../../test-results/console/', import.meta.url));
export { demoHead } from '../../test/import-source.ts';

export const LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  // This machine's network is closed: Chromium's own background connections would be refused at every start.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export async function launch(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch(LAUNCH);
}

export async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

/** Signs in through the console's login form. */
export async function login(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

export const ANALYST = { email: 'analyst@shop.test', password: 'correct horse battery' };

/** A console on a fresh test database: the app built, `seed` run, an analyst account, a server and Chromium. */
export async function startConsole(seed: (database: Database) => Promise<void>): Promise<{
  database: Database;
  base: string;
  browser: Browser;
  close: () => Promise<void>;
}> {
  const [built, database] = await Promise.all([ensureConsoleBuilt(), openTestDatabase()]);
  if (!built) throw new Error('web/dist could not be built');
  await seed(database);
  await createUser(database, { email: ANALYST.email, role: 'analyst', password: ANALYST.password, name: 'Test analyst' });
  const app = await buildServer(database, { logger: createLogger('silent'), rateLimitPerMinute: 100_000 });
  const base = await listen(app);
  const browser = await launch();
  return {
    database,
    base,
    browser,
    close: async () => {
      await browser.close();
      await app.close();
      await database.close();
    },
  };
}
