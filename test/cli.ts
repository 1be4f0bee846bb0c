import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openTestDatabase } from './db.ts';
import type { Database } from '../src/platform/db/client.ts';

const run = promisify(execFile);
export const PATRON_BIN = new URL('../bin/patron.js', import.meta.url).pathname;

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * The real `patron` CLI in child processes, for one test file: on a PostgreSQL database of its own when
 * TEST_DATABASE_URL is set, else on a PGlite data dir of its own. Call `close()` in afterAll.
 */
export class TestCli {
  readonly work: string;
  readonly dataDir: string;
  private database: (Database & { url?: string }) | undefined;

  private constructor(prefix: string) {
    this.work = mkdtempSync(join(tmpdir(), prefix));
    this.dataDir = join(this.work, 'data');
  }

  static async open(prefix = 'patron-cli-'): Promise<TestCli> {
    const cli = new TestCli(prefix);
    if (process.env.TEST_DATABASE_URL) cli.database = await openTestDatabase();
    return cli;
  }

  /** The environment of a child: logs muted, and DATABASE_URL only when this file runs on PostgreSQL. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...extra };
    delete env.DATABASE_URL;
    if (this.database?.url) env.DATABASE_URL = this.database.url;
    return env;
  }

  /** The arguments with `--data-dir` prepended when running on PGlite. */
  args(args: readonly string[]): string[] {
    return this.database?.url ? [...args] : ['--data-dir', this.dataDir, ...args];
  }

  async run(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run('node', [PATRON_BIN, ...this.args(args)], { env: this.env(env), cwd: this.work, timeout: 240_000 });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }

  async close(): Promise<void> {
    await this.database?.close();
  }
}

/** The JSON object a `--json` command prints as the last line of stdout. */
export function lastJson(stdout: string) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}
