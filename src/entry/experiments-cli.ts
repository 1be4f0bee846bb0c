import { createReadStream, statSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import * as experiments from '../modules/experiments/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db/client.ts';
import { AppError } from '../platform/errors.ts';
import { createProgress, type Progress } from '../platform/progress.ts';

type GlobalOpts = { dataDir?: string; json?: boolean; progress?: boolean };

/** What cli.ts lends the experiment commands, so that they open databases and print exactly as the other commands do. */
export type ExperimentCliHelpers = {
  globals(cmd: Command): GlobalOpts;
  withDatabase<T>(opts: GlobalOpts, fn: (db: Database, cfg: Config) => Promise<T>): Promise<T>;
  emit(json: boolean | undefined, obj: unknown, human: string): void;
};

const FLAGS: experiments.OptionNames = { by: '--by', treatment: '--treatment', outcome: '--outcome' };

function parseShare(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('a share strictly between 0 and 1, such as 0.5');
  return n;
}

function parseInteger(v: string): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('a whole number');
  return n;
}

function parseNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('a number');
  return n;
}

function parseModel(v: string): experiments.UpliftResult['model'] {
  if (v !== 'two-model' && v !== 'class-transformation') throw new InvalidArgumentError("use 'two-model' or 'class-transformation'");
  return v;
}

const fmt = (x: number, digits: number) => x.toFixed(digits);
const pp = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(3)} pp`;
const money = (x: number) => `${x < 0 ? '-' : '+'}$${Math.abs(x).toFixed(4)}`;

/** Left-aligns the first column and right-aligns the rest. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function formatReport(r: experiments.ExperimentReport): string {
  const e = r.experiment;
  const pct = `${Math.round(r.confidence * 1000) / 10}%`;
  const head = [
    'arm',
    'n',
    ...e.outcomes.flatMap((o) =>
      o.kind === 'binary' ? [`${o.name} rate`, `${pct} CI (Wilson)`] : [`${o.name}/customer`, `${pct} CI (t)`, `${pct} CI (bootstrap)`],
    ),
  ];
  const rows = r.arms.map((a) => [
    `${a.name}${a.control ? ' (control)' : ''}`,
    a.n.toLocaleString('en'),
    ...e.outcomes.flatMap((o) => {
      const x = a.outcomes[o.name];
      if (!x) return [];
      if (x.kind === 'binary') return [fmt(x.rate, 6), `[${fmt(x.ci.low, 5)}, ${fmt(x.ci.high, 5)}]`];
      return [
        fmt(x.mean, 6),
        `[${fmt(x.ci.low, 4)}, ${fmt(x.ci.high, 4)}]`,
        `[${fmt(x.bootstrapCi.low, 4)}, ${fmt(x.bootstrapCi.high, 4)}]`,
      ];
    }),
  ]);
  const effectHead = ['vs control', ...e.outcomes.map((o) => `${o.name} (${o.kind === 'binary' ? 'Newcombe' : 'Welch'} ${pct} CI)`)];
  const effectRows = r.arms
    .filter((a) => !a.control)
    .map((a) => [
      a.name,
      ...e.outcomes.map((o) => {
        const x = r.effects.find((f) => f.arm === a.name && f.outcome === o.name);
        if (!x) return '';
        return o.kind === 'binary'
          ? `${pp(x.effect)} [${pp(x.ciLow)}, ${pp(x.ciHigh)}]`
          : `${money(x.effect)} [${money(x.ciLow)}, ${money(x.ciHigh)}]`;
      }),
    ]);
  const boot = r.arms.flatMap((a) => Object.values(a.outcomes)).find((x) => x.kind === 'continuous');
  return [
    `Experiment ${e.name} (${e.source}): ${e.subjects.toLocaleString('en')} customers, control '${e.controlArm}'.`,
    '',
    table([head, ...rows]),
    '',
    'Effect of each arm against control, in absolute terms:',
    table([effectHead, ...effectRows]),
    '',
    `Intervals: rates Wilson; means Student t${boot && boot.kind === 'continuous' ? ` and percentile bootstrap (${boot.bootstrapCi.reps.toLocaleString('en')} resamples, seed ${boot.bootstrapCi.seed})` : ''}; effects Newcombe (rates), Welch (means).`,
  ].join('\n');
}

function formatSegments(r: experiments.SegmentReport): string {
  const isRate = r.kind === 'binary';
  const show = (x: number | null) => (x === null ? '—' : isRate ? pp(x) : money(x));
  const rows = r.segments.map((s) => [
    s.value,
    s.n.toLocaleString('en'),
    s.nTreated.toLocaleString('en'),
    s.nControl.toLocaleString('en'),
    show(s.effect),
    `[${show(s.ciLow)}, ${show(s.ciHigh)}]`,
    s.harmed ? 'HARMED' : s.helped ? 'helped' : '',
  ]);
  return [
    `${r.experiment}: effect of '${r.treatment}' against '${r.control}' on ${r.outcome}, by ${r.by}${r.binned ? ' (deciles)' : ''}; ${r.method}, ${Math.round(r.confidence * 1000) / 10}%.`,
    table([[r.by, 'n', 'treated', 'control', 'effect', 'CI', ''], ...rows]),
    'A segment is flagged harmed (or helped) only when its whole interval lies below (or above) zero.',
  ].join('\n');
}

function formatUplift(u: experiments.UpliftResult): string {
  return [
    `${u.experiment}: ${u.model} uplift model, '${u.treatment}' against '${u.control}', outcome ${u.outcome}; ${u.n.train.toLocaleString('en')} customers to train, ${u.n.test.toLocaleString('en')} to test (split ${u.split}, seed ${u.seed}).`,
    `  Qini coefficient   ${fmt(u.qini, 4)}`,
    `  AUUC (normalised)  ${fmt(u.auuc, 4)}`,
    `  uplift@30%         ${fmt(u.upliftAt30, 4)}  (treating everyone in the test set: ${fmt(u.testUplift, 4)})`,
    `Features: ${u.features.join(', ')}.`,
  ].join('\n');
}

/** `patron experiments import|list|report|sample-size` and `patron uplift evaluate`. */
export function registerExperimentCommands(program: Command, h: ExperimentCliHelpers): void {
  const exp = program
    .command('experiments')
    .description('finished experiments: import, effects with confidence intervals, per segment; sample sizes');

  exp
    .command('import')
    .description('load an experiment file as a finished experiment (all or nothing)')
    .argument('<source>', `the file's shape: ${Object.keys(experiments.EXPERIMENT_SOURCES).join(', ')}`)
    .argument('<file>', 'the CSV file (e.g. ../shared/data/hillstrom/hillstrom.csv)')
    .option('--name <name>', 'the name to store it under (default: the source)')
    .action(async (source: string, file: string, o: { name?: string }, cmd: Command) => {
      const g = h.globals(cmd);
      const spec = experiments.EXPERIMENT_SOURCES[source];
      if (!spec) {
        throw new AppError(
          'VALIDATION_FAILED',
          `source: unknown source '${source}'; use one of ${Object.keys(experiments.EXPERIMENT_SOURCES).join(', ')}.`,
          { fields: [{ field: 'source', message: 'unknown' }] },
        );
      }
      let size: number;
      try {
        size = statSync(file).size;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new AppError(
          'VALIDATION_FAILED',
          `${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}).`,
          { file, fields: [{ field: 'FILE', message: 'unreadable' }] },
        );
      }
      await h.withDatabase(g, async (database) => {
        let bar: Progress | undefined;
        try {
          const out = await experiments.importExperiment(database, createReadStream(file), {
            name: o.name ?? source,
            spec,
            label: file,
            onProgress: (p) => {
              bar ??= createProgress(`Importing ${source}`, size, { enabled: g.progress !== false });
              bar.update(p.bytesRead, { detail: `${p.rows.toLocaleString('en')} customers` });
            },
          });
          bar?.stop();
          bar = undefined;
          h.emit(
            g.json,
            out,
            `Imported experiment '${out.experiment.name}' (${out.experiment.id}): ${out.experiment.subjects.toLocaleString('en')} customers in ${out.seconds.toFixed(1)} s; ${out.arms.map((a) => `${a.name} ${a.n.toLocaleString('en')}`).join(', ')}.`,
          );
        } finally {
          bar?.stop();
        }
      });
    });

  exp
    .command('list')
    .description('the stored experiments')
    .action(async (_o, cmd: Command) => {
      const g = h.globals(cmd);
      await h.withDatabase(g, async (database) => {
        const list = await experiments.listExperiments(database);
        h.emit(
          g.json,
          { experiments: list },
          list.length === 0
            ? 'No experiments yet: `patron experiments import hillstrom FILE`.'
            : list
                .map(
                  (e) =>
                    `${e.name}  ${e.source}  ${e.subjects.toLocaleString('en')} customers  arms: ${e.arms.join(', ')} (control ${e.controlArm})`,
                )
                .join('\n'),
        );
      });
    });

  exp
    .command('report')
    .description(
      'per arm: rates and means per customer with 95% intervals, and each arm against control; with --by, the effect per segment',
    )
    .argument('<name>', 'the experiment')
    .option('--by <attribute>', 'an attribute column: the effect of --treatment on --outcome per segment of it')
    .option('--treatment <arm>', 'with --by: the treatment arm')
    .option('--outcome <outcome>', 'with --by: the outcome')
    .option(
      '--bootstrap-reps <n>',
      'resamples of the percentile bootstrap of means (default 2000; the published Hillstrom intervals used 10000)',
      parseInteger,
    )
    .option('--bootstrap-seed <n>', 'seed of the bootstrap (default 2008)', parseInteger)
    .action(
      async (
        name: string,
        o: { by?: string; treatment?: string; outcome?: string; bootstrapReps?: number; bootstrapSeed?: number },
        cmd: Command,
      ) => {
        const g = h.globals(cmd);
        if (o.by === undefined && (o.treatment !== undefined || o.outcome !== undefined)) {
          throw new AppError(
            'VALIDATION_FAILED',
            `${o.treatment !== undefined ? '--treatment' : '--outcome'}: only with --by ATTRIBUTE (the report without --by covers every arm and outcome).`,
            {
              fields: [{ field: '--by', message: 'missing' }],
            },
          );
        }
        await h.withDatabase(g, async (database) => {
          if (o.by !== undefined) {
            const r = await experiments.segmentReport(database, name, { by: o.by, treatment: o.treatment, outcome: o.outcome }, FLAGS);
            h.emit(g.json, r, formatSegments(r));
            return;
          }
          const r = await experiments.experimentReport(database, name, {
            bootstrapReps: o.bootstrapReps ?? 2000,
            bootstrapSeed: o.bootstrapSeed ?? 2008,
          });
          h.emit(g.json, r, formatReport(r));
        });
      },
    );

  exp
    .command('sample-size')
    .description('customers needed per arm: --baseline and --lift for a rate, or --delta and --sd for a mean')
    .option('--baseline <rate>', "the control's rate, e.g. 0.106", parseNumber)
    .option('--lift <lift>', 'the change to detect, absolute (0.01 = one point) unless --relative', parseNumber)
    .option('--relative', 'the lift is relative (0.1 = +10%)')
    .option('--delta <amount>', 'the difference in a mean to detect', parseNumber)
    .option('--sd <amount>', "the mean's standard deviation per customer", parseNumber)
    .option('--alpha <alpha>', 'significance level (default 0.05)', parseShare)
    .option('--power <power>', 'power (default 0.8)', parseShare)
    .option('--one-sided', 'a one-sided test')
    .action(
      async (
        o: {
          baseline?: number;
          lift?: number;
          relative?: boolean;
          delta?: number;
          sd?: number;
          alpha?: number;
          power?: number;
          oneSided?: boolean;
        },
        cmd: Command,
      ) => {
        const g = h.globals(cmd);
        const common = {
          alpha: o.alpha ?? 0.05,
          power: o.power ?? 0.8,
          alternative: o.oneSided ? ('one-sided' as const) : ('two-sided' as const),
        };
        const rate = o.baseline !== undefined && o.lift !== undefined;
        const mean = o.delta !== undefined && o.sd !== undefined;
        if (rate === mean) {
          throw new AppError('VALIDATION_FAILED', '--baseline and --lift (a rate), or --delta and --sd (a mean): give one pair.', {
            fields: [{ field: rate ? '--delta' : '--baseline', message: rate ? 'give only one pair' : 'missing' }],
          });
        }
        const r = rate
          ? experiments.planSampleSize({
              baseline: o.baseline as number,
              lift: o.lift as number,
              liftType: o.relative ? 'relative' : 'absolute',
              ...common,
            })
          : experiments.planSampleSize({ delta: o.delta as number, sd: o.sd as number, ...common });
        h.emit(
          g.json,
          r,
          `${r.perArm.toLocaleString('en')} customers per arm (${r.total.toLocaleString('en')} for two arms): ${r.method}, alpha ${r.alpha}, power ${r.power}, ${r.alternative}.`,
        );
      },
    );

  const uplift = program.command('uplift').description('uplift models: whom to target');
  uplift
    .command('evaluate')
    .description(
      'fit an uplift model on a seeded split of an experiment and score it on the held-out rest (Qini coefficient, AUUC, uplift@30%)',
    )
    .argument('<name>', 'the experiment')
    .option('--treatment <arm>', 'the treatment arm (default: the only one)')
    .option('--outcome <outcome>', 'a 0/1 outcome')
    .option('--split <share>', 'share held out for testing (default 0.5)', parseShare)
    .option('--seed <n>', 'seed of the split (default 0)', parseInteger)
    .option('--model <model>', "'two-model' (default) or 'class-transformation'", parseModel)
    .action(
      async (
        name: string,
        o: { treatment?: string; outcome?: string; split?: number; seed?: number; model?: experiments.UpliftResult['model'] },
        cmd: Command,
      ) => {
        const g = h.globals(cmd);
        await h.withDatabase(g, async (database) => {
          const r = await experiments.evaluateExperimentUplift(
            database,
            name,
            { treatment: o.treatment, outcome: o.outcome, split: o.split ?? 0.5, seed: o.seed ?? 0, model: o.model ?? 'two-model' },
            FLAGS,
          );
          h.emit(g.json, r, formatUplift(r));
        });
      },
    );
}
