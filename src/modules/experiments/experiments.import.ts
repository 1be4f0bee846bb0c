import { Transform, type Readable } from 'node:stream';
import Papa from 'papaparse';
import type { Database } from '../../platform/db/client.ts';
import { AppError, pgCode } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import {
  HILLSTROM_SPEC,
  checkSpec,
  formatProblem,
  indexHeader,
  parseRow,
  type ExperimentSpec,
  type RowProblem,
} from './domain/experiment-file.ts';
import * as repo from './experiments.repository.ts';
import { dto, type ExperimentDto } from './experiments.service.ts';

// The import of an experiment file: streamed, every row checked, written with COPY, all or nothing.

export type ImportProgress = { bytesRead: number; rows: number };
export type ImportResult = { experiment: ExperimentDto; arms: { name: string; n: number }[]; seconds: number };
export type ImportOptions = {
  name: string;
  spec?: ExperimentSpec;
  /** How the file is named in messages (its path for the CLI). */
  label?: string;
  onProgress?: (p: ImportProgress) => void;
};

const BATCH = 8000;
const PROBLEMS_SHOWN = 20;

/** The experiment names accepted: what a URL path segment and a shell argument carry without quoting. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function checkName(name: string, field = 'name'): string {
  if (!NAME.test(name)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${field}: '${name}' is not a valid experiment name (letters, digits, '.', '_' and '-', at most 63, starting with a letter or digit).`,
      {
        fields: [{ field, message: 'invalid name' }],
      },
    );
  }
  return name;
}

function rowError(problems: readonly RowProblem[], total: number, label: string): AppError {
  const first = problems[0] as RowProblem;
  const more =
    total > 1
      ? ` (and ${total - 1} more problem${total > 2 ? 's' : ''}${total > problems.length ? `; the first ${problems.length} are in the details` : ''})`
      : '';
  return new AppError(
    first.kind === 'not-binary' ? 'EXPERIMENTS_OUTCOME_NOT_BINARY' : 'EXPERIMENTS_INVALID_ROW',
    `${label}: ${formatProblem(first)}${more}. Nothing was stored.`,
    {
      file: label,
      problems: total,
      fields: problems.map((p) => ({ field: p.field, line: p.line, message: formatProblem(p) })),
    },
  );
}

/**
 * Loads an experiment file (CSV with a header) as a finished experiment, in one transaction: the file is streamed
 * through Papa Parse, every row is checked against the spec, and subjects are written with COPY in batches of 8,000.
 * Any problem (a missing column, a bad value on a line, an unknown arm, an expected arm without customers, a name
 * already taken) rolls everything back, so nothing is half-created. Problems are collected over the whole file, and
 * the first 20 are named with their line and field.
 */
export async function importExperiment(database: Database, input: Readable, opts: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const spec = opts.spec ?? HILLSTROM_SPEC;
  const label = opts.label ?? 'the file';
  const name = checkName(opts.name);
  const specProblems = checkSpec(spec);
  if (specProblems.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The experiment's description is inconsistent: ${specProblems.map((p) => `${p.field}: ${p.message}`).join('; ')}.`,
      { fields: specProblems },
    );
  }
  if (await repo.findExperimentByName(database, name)) throw nameTaken(name);
  const id = newId('experiment');
  try {
    return await database.transaction(async (s) => {
      await repo.insertExperiment(s, {
        id,
        name,
        source: spec.source,
        arms: spec.arms,
        controlArm: spec.controlArm,
        outcomes: spec.outcomes,
        features: spec.features,
        modelFeatures: spec.modelFeatures,
      });
      let bytesRead = 0;
      const counter = new Transform({
        transform(chunk: Buffer | string, _enc, done) {
          bytesRead += chunk.length;
          done(null, chunk);
        },
      });
      const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: false, skipEmptyLines: false }) as NodeJS.ReadWriteStream;
      input.on('error', (e) => parser.emit('error', e));
      input.pipe(counter).pipe(parser);

      let line = 0;
      let index: ReturnType<typeof indexHeader> | undefined;
      const problems: RowProblem[] = [];
      let problemCount = 0;
      const counts = new Map(spec.arms.map((a) => [a, 0]));
      let batch: repo.NewSubject[] = [];
      let rows = 0;
      try {
        for await (const cells of parser as AsyncIterable<string[]>) {
          line += 1;
          if (line === 1) {
            index = indexHeader(cells, spec);
            if ('missing' in index) {
              throw new AppError(
                'EXPERIMENTS_INVALID_ROW',
                `${label}: line 1: the header lacks the column${index.missing.length > 1 ? 's' : ''} ${index.missing.join(', ')} (the header is: ${cells.join(',')}).`,
                {
                  file: label,
                  fields: index.missing.map((c) => ({ field: c, line: 1, message: 'missing column' })),
                },
              );
            }
            continue;
          }
          if (cells.length === 1 && cells[0] === '') continue;
          const parsed = parseRow(cells, line, spec, (index as { index: Parameters<typeof parseRow>[3] }).index);
          if ('problems' in parsed) {
            problemCount += parsed.problems.length;
            for (const p of parsed.problems) if (problems.length < PROBLEMS_SHOWN) problems.push(p);
            continue;
          }
          rows += 1;
          counts.set(parsed.row.arm, (counts.get(parsed.row.arm) ?? 0) + 1);
          if (problemCount > 0) continue;
          batch.push({ rowNo: line - 1, ...parsed.row });
          if (batch.length >= BATCH) {
            await repo.copySubjects(s, id, batch);
            batch = [];
            opts.onProgress?.({ bytesRead, rows });
          }
        }
      } finally {
        input.unpipe();
        input.destroy();
      }
      if (line === 0)
        throw new AppError('EXPERIMENTS_INVALID_ROW', `${label}: the file is empty (a header and one row per customer are expected).`, {
          file: label,
        });
      if (problemCount > 0) throw rowError(problems, problemCount, label);
      const empty = spec.arms.filter((a) => counts.get(a) === 0);
      if (empty.length > 0) {
        throw new AppError(
          'EXPERIMENTS_EMPTY_ARM',
          `${label}: the arm${empty.length > 1 ? 's' : ''} ${empty.map((a) => `'${a}'`).join(', ')} ha${empty.length > 1 ? 've' : 's'} no customers (column ${spec.armColumn}); every arm of ${spec.arms.map((a) => `'${a}'`).join(', ')} needs some. Nothing was stored.`,
          { file: label, fields: empty.map((a) => ({ field: spec.armColumn, message: `no customers in arm '${a}'` })) },
        );
      }
      await repo.copySubjects(s, id, batch);
      opts.onProgress?.({ bytesRead, rows });
      await repo.finishExperiment(s, id, rows);
      const stored = (await repo.findExperimentByName(s, name)) as repo.ExperimentRow;
      return {
        experiment: dto(stored),
        arms: spec.arms.map((a) => ({ name: a, n: counts.get(a) ?? 0 })),
        seconds: (Date.now() - started) / 1000,
      };
    });
  } catch (e) {
    if (pgCode(e) === '23505') throw nameTaken(name);
    throw e;
  }
}

function nameTaken(name: string): AppError {
  return new AppError('EXPERIMENTS_NAME_TAKEN', `An experiment named '${name}' exists already; import under another name (--name).`, {
    fields: [{ field: 'name', message: 'taken' }],
    name,
  });
}
