// BG/NBD fit on the CDNOW master cohort (23,570 customers): our BFGS with analytic gradient against fmin's Nelder-Mead.
//
// Usage: npx tsx bench/clv.ts [--reps N] [--json]
//   BENCH_CDNOW  the CDNOW master file (default ../shared/data/cdnow/CDNOW_master.txt, see its README.md)
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import fmin from 'fmin';
import { bgNbdLogLikelihood, fitBgNbd, summarize, toPatterns, type Pattern, type Transaction } from '../src/modules/analytics/index.ts';
import { logger, median, round } from './lib/stats.ts';

const { values: args } = parseArgs({ options: { reps: { type: 'string', short: 'n' }, json: { type: 'boolean', default: false } } });
const reps = Number(args.reps ?? 7);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${args.reps}`);
const file = process.env.BENCH_CDNOW ?? new URL('../../shared/data/cdnow/CDNOW_master.txt', import.meta.url).pathname;
const calibrationEnd = new Date(Date.UTC(1997, 8, 30));
// Human output goes to stderr with --json, so that stdout ends with one parseable line.
const log = logger(args.json);

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

/** customer_id date(YYYYMMDD) number_of_cds dollar_value, whitespace-separated, one header line, CRLF. */
function parseMaster(text: string): Transaction[] {
  const out: Transaction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 4) continue;
    const d = f[1]!;
    out.push({ customerId: f[0]!, at: new Date(Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8))), amount: Number(f[3]) });
  }
  return out;
}

function pipeline(): { patterns: Pattern[]; customers: number; transactions: number } {
  const tx = parseMaster(readFileSync(file, 'utf8'));
  const summaries = summarize(tx, { calibrationEnd, unit: 'week' });
  const patterns = toPatterns(summaries);
  fitBgNbd(patterns);
  return { patterns, customers: summaries.length, transactions: tx.length };
}

function nelderMeadFit(patterns: Pattern[]) {
  let evaluations = 0;
  const negLL = (u: number[]) => {
    evaluations++;
    const ll = bgNbdLogLikelihood({ r: Math.exp(u[0]!), alpha: Math.exp(u[1]!), a: Math.exp(u[2]!), b: Math.exp(u[3]!) }, patterns);
    return Number.isFinite(ll) ? -ll : Number.MAX_VALUE;
  };
  // fmin stops when the simplex's f spread and its x spread are both below minErrorDelta (0.0.2 reads it for both);
  // 1e-9 makes it reach the BFGS optimum to 1e-6 relative in LL.
  const r = fmin.nelderMead(negLL, [0, 0, 0, 0], { maxIterations: 20_000, minErrorDelta: 1e-9 });
  return { params: r.x.map(Math.exp), logLikelihood: -r.fx, evaluations };
}

const { patterns, customers, transactions } = pipeline();
log(`CDNOW master: ${transactions} transactions, ${customers} customers, ${patterns.length} (x, t_x, T) patterns`);

const bfgsMs: number[] = [];
const nmMs: number[] = [];
const pipeMs: number[] = [];
let bfgs = fitBgNbd(patterns);
let nm = nelderMeadFit(patterns);
for (let i = 0; i < reps; i++) {
  // Alternated, so that both see the same machine state.
  let t = process.hrtime.bigint();
  bfgs = fitBgNbd(patterns);
  bfgsMs.push(ms(t));
  t = process.hrtime.bigint();
  nm = nelderMeadFit(patterns);
  nmMs.push(ms(t));
  t = process.hrtime.bigint();
  pipeline();
  pipeMs.push(ms(t));
}

const relLL = Math.abs(bfgs.logLikelihood - nm.logLikelihood) / Math.abs(bfgs.logLikelihood);
const result = {
  benchmark: 'clv',
  machine: {
    nproc: cpus().length,
    cpu: (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? cpus()[0]?.model ?? 'unknown',
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
  },
  data: { transactions, customers, patterns: patterns.length },
  reps,
  bfgs: {
    ms: round(median(bfgsMs)),
    iterations: bfgs.iterations,
    evaluations: bfgs.evaluations,
    logLikelihood: bfgs.logLikelihood,
    params: bfgs.params,
  },
  nelderMead: { ms: round(median(nmMs)), evaluations: nm.evaluations, logLikelihood: nm.logLikelihood, params: nm.params },
  speedup: round(median(nmMs) / median(bfgsMs), 1),
  logLikelihoodRelativeDifference: relLL,
  sameOptimum: relLL <= 1e-6,
  pipelineMs: round(median(pipeMs)),
};
log(`BG/NBD fit, median of ${reps}:`);
log(
  `  BFGS (analytic gradient): ${result.bfgs.ms} ms, ${bfgs.iterations} iterations, ${bfgs.evaluations} evaluations, LL ${bfgs.logLikelihood.toFixed(4)}`,
);
log(`  Nelder-Mead (fmin):       ${result.nelderMead.ms} ms, ${nm.evaluations} evaluations, LL ${nm.logLikelihood.toFixed(4)}`);
log(
  `  speed-up ${result.speedup}x; LL relative difference ${relLL.toExponential(2)} (${result.sameOptimum ? 'same optimum' : 'DIFFERENT OPTIMA'})`,
);
log(
  `  params BFGS r=${bfgs.params.r.toFixed(5)} alpha=${bfgs.params.alpha.toFixed(5)} a=${bfgs.params.a.toFixed(5)} b=${bfgs.params.b.toFixed(5)}`,
);
log(`  params NM   ${nm.params.map((v) => v.toFixed(5)).join(' ')}`);
log(`Pipeline (read + parse + summarize + patterns + fit): ${result.pipelineMs} ms`);
if (args.json) console.log(JSON.stringify(result));
