// Child processes of a benchmark (the servers it measures) and the CPU time they, the database's backends and the
// generator spend: what bench/till.ts runs its servers with.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { seconds } from './stats.ts';

export type Child = { name: string; proc: ChildProcess; tail: string[]; exited: boolean };
/** Every child started, with the last lines it printed (to show when something goes wrong). */
export const children: Child[] = [];
let stopping = false;

export function startChild(name: string, command: string, argv: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Child {
  const proc = spawn(command, argv, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { name, proc, tail: [], exited: false };
  // BENCH_CHILD_LOG_DIR (environment): also append everything a child prints to <dir>/<name>.log, e.g. a server's
  // --trace-gc lines, which the tail kept here would cut. Written asynchronously: this process is the load generator.
  const logDir = process.env.BENCH_CHILD_LOG_DIR;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const log = logDir ? createWriteStream(join(logDir, `${name}.log`), { flags: 'a' }) : undefined;
  // A log that cannot be written (a full disk, a folder removed) is said once and then left; the bench goes on.
  log?.once('error', (e) => {
    console.error(`BENCH_CHILD_LOG_DIR: cannot write ${name}.log (${e.message}); its output is no longer kept there`);
    log.destroy();
  });
  const keep = (chunk: Buffer): void => {
    if (log && !log.destroyed) log.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) child.tail.push(line);
    if (child.tail.length > 40) child.tail.splice(0, child.tail.length - 40);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  // After 'close' nothing more is read from the child: ending the log at 'exit' could leave its last lines unwritten.
  proc.once('close', () => log?.end());
  proc.on('exit', (code, signal) => {
    child.exited = true;
    if (!stopping) console.error(`${name} exited (${signal ?? code}); its last output:\n${child.tail.join('\n')}`);
  });
  children.push(child);
  return child;
}

export async function stopChildren(): Promise<void> {
  stopping = true;
  await Promise.all(
    children
      .filter((c) => !c.exited)
      .map(
        (c) =>
          new Promise<void>((resolve) => {
            const force = setTimeout(() => c.proc.kill('SIGKILL'), 5000);
            c.proc.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            c.proc.kill('SIGTERM');
          }),
      ),
  );
}

/**
 * No child outlives the benchmark: on SIGINT or SIGTERM the children are stopped, then `cleanup` runs (say what it
 * does in `what`), and the process exits 130; a last resort kills them when the process ends some other way.
 */
export function stopChildrenOnExit(what: string, cleanup: () => Promise<unknown>): void {
  process.on('exit', () => {
    for (const c of children) if (!c.exited) c.proc.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: ${what}`);
      void stopChildren()
        .then(cleanup)
        .finally(() => process.exit(130));
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitHealthy(child: Child, base: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exited) throw new Error(`${child.name} exited before it answered ${base}/healthz:\n${child.tail.join('\n')}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${child.name} did not answer ${base}/healthz within ${timeoutMs / 1000} s:\n${child.tail.join('\n')}`);
}

/** CPU seconds (user + system) of a process, from /proc; 0 when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3: utime is 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of each PostgreSQL process working for `database` (backends, autovacuum), by pid. */
function backendCpu(database: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // A backend's title is "postgres: <user> <database> <client> <state>"; an autovacuum worker's ends with the database.
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0+$/, '');
      if (cmd.startsWith('postgres: ') && cmd.split(' ').includes(database)) out.set(Number(d), cpuSeconds(Number(d)));
    } catch {
      // gone
    }
  }
  return out;
}

/** CPU seconds the whole machine spent busy (all cores, everything but idle and iowait), from /proc/stat. */
function machineBusy(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / 100;
}

export type CpuMark = {
  database: string;
  server: number;
  postgres: Map<number, number>;
  generator: NodeJS.CpuUsage;
  machine: number;
  at: bigint;
};
/** Where the CPU counters stand now, for cpuSince: the server's, `database`'s backends', this process's and the machine's. */
export function cpuMark(server: Child, database: string): CpuMark {
  return {
    database,
    server: cpuSeconds(server.proc.pid!),
    postgres: backendCpu(database),
    generator: process.cpuUsage(),
    machine: machineBusy(),
    at: process.hrtime.bigint(),
  };
}

export type Cpu = { server: number; postgres: number; generator: number };
/**
 * CPU seconds spent since the mark by the server, the database's backends (new ones count from 0) and this process;
 * and `otherCores`, the cores the rest of the machine kept busy on average meanwhile (other sessions' work, or the
 * idle server): what the figures of that phase competed with.
 */
export function cpuSince(server: Child, m: CpuMark): Cpu & { otherCores: number } {
  let postgres = 0;
  for (const [pid, s] of backendCpu(m.database)) postgres += s - (m.postgres.get(pid) ?? 0);
  const g = process.cpuUsage(m.generator);
  const cpu = { server: cpuSeconds(server.proc.pid!) - m.server, postgres, generator: (g.user + g.system) / 1e6 };
  const other = machineBusy() - m.machine - cpu.server - cpu.postgres - cpu.generator;
  return { ...cpu, otherCores: Math.max(0, other / seconds(m.at)) };
}
