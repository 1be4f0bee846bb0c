import { type Command, InvalidArgumentError } from 'commander';
import * as staff from '../modules/staff/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db/client.ts';
import { AppError } from '../platform/errors.ts';
import { ROLES, type Role } from '../platform/http/auth.ts';

type GlobalOpts = { dataDir?: string; json?: boolean; progress?: boolean };

/** What cli.ts lends the user commands, so that they open databases and print exactly as the other commands do. */
export type UserCliHelpers = {
  globals(cmd: Command): GlobalOpts;
  withDatabase<T>(opts: GlobalOpts, fn: (db: Database, cfg: Config) => Promise<T>): Promise<T>;
  emit(json: boolean | undefined, obj: unknown, human: string): void;
};

function parseRole(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`use one of ${ROLES.join(', ')}`);
  return v as Role;
}

/** The first line of standard input: the password, so that it appears in no process list or shell history. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new AppError('VALIDATION_FAILED', '--password-stdin: pipe the password in, e.g. `printf %s "$PW" | patron users create … --password-stdin`.', { fields: [{ field: '--password-stdin', message: 'standard input is a terminal' }] });
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.split(/\r?\n/)[0] ?? '';
}

/** `patron users create|list`: console accounts. */
export function registerUserCommands(program: Command, h: UserCliHelpers): void {
  const users = program.command('users').description('console accounts (e-mail, password, role)');
  users
    .command('create')
    .description('create a console user; prints a generated password once unless --password-stdin is given')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .requiredOption('--email <email>', 'the e-mail to log in with (case does not matter)')
    .option('--name <name>', 'the name the console shows (default: the part of the e-mail before @)')
    .option('--password-stdin', `read the password (at least ${staff.MIN_PASSWORD_LENGTH} characters) from standard input`)
    .action(async (o: { role: Role; email: string; name?: string; passwordStdin?: boolean }, cmd: Command) => {
      const g = h.globals(cmd);
      const password = o.passwordStdin ? await readPasswordFromStdin() : undefined;
      await h.withDatabase(g, async (database) => {
        const r = await staff.createUser(database, { email: o.email, role: o.role, name: o.name, password });
        const human = r.generated
          ? `Created ${r.user.role} ${r.user.email} (${r.user.id}). Password (shown once):\n${r.password}`
          : `Created ${r.user.role} ${r.user.email} (${r.user.id}).`;
        h.emit(g.json, { user: r.user, ...(r.generated ? { password: r.password } : {}) }, human);
      });
    });
  users
    .command('list')
    .description('list console users (never their passwords)')
    .action(async (_o, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const list = await staff.listUsers(database);
        h.emit(g.json, { users: list }, list.map((u) => `${u.id}  ${u.role.padEnd(8)} ${u.email}  ${u.name}`).join('\n') || 'No console users.');
      });
    });
}

/** For `patron serve`: the first console admin of an empty database, and the banner lines that show it once. */
export async function firstConsoleAdmin(database: Database): Promise<{ email: string; password: string } | undefined> {
  return staff.ensureFirstAdmin(database);
}

export function consoleAdminBanner(admin: { email: string; password: string }, address: string): string {
  return `\nA console admin was created. Its password is shown once; store it now:\n\n  e-mail:   ${admin.email}\n  password: ${admin.password}\n\nLog in at ${address}/ (change accounts with \`patron users create\`).\n\n`;
}
