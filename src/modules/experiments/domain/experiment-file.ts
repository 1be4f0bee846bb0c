// What an experiment file must hold, and the check of each row against it. Pure functions, no I/O: the service
// streams the file through these and writes nothing unless every row passes.

/** An outcome column: 0/1 (visit, conversion) or a number (spend). */
export type OutcomeColumn = { name: string; kind: 'binary' | 'continuous' };

/** An attribute column: a number (recency, history) or a category (channel, zip_code). */
export type FeatureColumn = { name: string; kind: 'numeric' | 'categorical' };

/**
 * The shape of an experiment file: which column names the arm, the arms expected (every one must have customers;
 * any other value is an error), which is the control, the outcomes and the attribute columns. `modelFeatures` are
 * the attributes uplift models use by default.
 */
export type ExperimentSpec = {
  source: string;
  armColumn: string;
  arms: string[];
  controlArm: string;
  outcomes: OutcomeColumn[];
  features: FeatureColumn[];
  modelFeatures: string[];
};

/**
 * Kevin Hillstrom's MineThatData e-mail experiment (2008): 64,000 customers split at random into Mens E-Mail,
 * Womens E-Mail and No E-Mail. history_segment is a binning of history, so the models leave it out (as
 * scikit-uplift's example does); it stays an attribute to report by.
 */
export const HILLSTROM_SPEC: ExperimentSpec = {
  source: 'hillstrom',
  armColumn: 'segment',
  arms: ['Mens E-Mail', 'Womens E-Mail', 'No E-Mail'],
  controlArm: 'No E-Mail',
  outcomes: [
    { name: 'visit', kind: 'binary' },
    { name: 'conversion', kind: 'binary' },
    { name: 'spend', kind: 'continuous' },
  ],
  features: [
    { name: 'recency', kind: 'numeric' },
    { name: 'history_segment', kind: 'categorical' },
    { name: 'history', kind: 'numeric' },
    { name: 'mens', kind: 'numeric' },
    { name: 'womens', kind: 'numeric' },
    { name: 'zip_code', kind: 'categorical' },
    { name: 'newbie', kind: 'numeric' },
    { name: 'channel', kind: 'categorical' },
  ],
  modelFeatures: ['recency', 'history', 'mens', 'womens', 'zip_code', 'newbie', 'channel'],
};

/** A problem with the spec itself (not with a file): names the field and what is wrong. */
export function checkSpec(spec: ExperimentSpec): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const columns = [spec.armColumn, ...spec.outcomes.map((o) => o.name), ...spec.features.map((f) => f.name)];
  const seen = new Set<string>();
  for (const c of columns) {
    if (c.trim() === '') problems.push({ field: 'columns', message: 'a column name is empty' });
    else if (seen.has(c)) problems.push({ field: 'columns', message: `column '${c}' is named twice` });
    seen.add(c);
  }
  if (spec.arms.length < 2) problems.push({ field: 'arms', message: 'at least two arms are needed' });
  if (new Set(spec.arms).size !== spec.arms.length) problems.push({ field: 'arms', message: 'an arm is named twice' });
  if (!spec.arms.includes(spec.controlArm))
    problems.push({ field: 'controlArm', message: `'${spec.controlArm}' is not one of the arms (${spec.arms.join(', ')})` });
  if (spec.outcomes.length === 0) problems.push({ field: 'outcomes', message: 'at least one outcome is needed' });
  const featureNames = new Set(spec.features.map((f) => f.name));
  for (const m of spec.modelFeatures)
    if (!featureNames.has(m)) problems.push({ field: 'modelFeatures', message: `'${m}' is not an attribute column` });
  return problems;
}

/** Where each column of the spec sits in the file's header. */
export type ColumnIndex = { arm: number; outcomes: number[]; features: number[]; width: number };

/** Maps the header to the spec's columns, or lists the columns the file lacks. Extra columns are ignored. */
export function indexHeader(header: readonly string[], spec: ExperimentSpec): { index: ColumnIndex } | { missing: string[] } {
  const names = header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  const at = (c: string) => names.indexOf(c);
  const wanted = [spec.armColumn, ...spec.outcomes.map((o) => o.name), ...spec.features.map((f) => f.name)];
  const missing = wanted.filter((c) => at(c) < 0);
  if (missing.length > 0) return { missing };
  return {
    index: {
      arm: at(spec.armColumn),
      outcomes: spec.outcomes.map((o) => at(o.name)),
      features: spec.features.map((f) => at(f.name)),
      width: names.length,
    },
  };
}

/** One problem on one line: `line 1234: conversion: must be 0 or 1, got 2`. */
export type RowProblem = { line: number; field: string; message: string; kind: 'not-binary' | 'invalid' };

/** A checked row: the arm, the outcome values and the attribute values (as written, trimmed). */
export type ParsedRow = { arm: string; outcomes: number[]; features: string[] };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function shown(v: string): string {
  return v.length > 40 ? `'${v.slice(0, 40)}…'` : `'${v}'`;
}

/**
 * Checks one data row (cells as parsed, `line` its line in the file) against the spec. Returns the row, or every
 * problem it has: a wrong number of fields, an unknown arm, an outcome that is missing, not a number or (for a 0/1
 * outcome) neither 0 nor 1, a numeric attribute that is not a number, an empty categorical one.
 */
export function parseRow(
  cells: readonly string[],
  line: number,
  spec: ExperimentSpec,
  index: ColumnIndex,
): { row: ParsedRow } | { problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  if (cells.length !== index.width) {
    return { problems: [{ line, field: '(row)', message: `has ${cells.length} fields, the header has ${index.width}`, kind: 'invalid' }] };
  }
  const arm = (cells[index.arm] ?? '').trim();
  if (!spec.arms.includes(arm)) {
    problems.push({
      line,
      field: spec.armColumn,
      message: `unknown arm ${shown(arm)}; the arms are ${spec.arms.map((a) => `'${a}'`).join(', ')}`,
      kind: 'invalid',
    });
  }
  const outcomes = spec.outcomes.map((o, k) => {
    const raw = (cells[index.outcomes[k] as number] ?? '').trim();
    if (raw === '') {
      problems.push({ line, field: o.name, message: 'missing', kind: 'invalid' });
      return Number.NaN;
    }
    const v = NUMBER.test(raw) ? Number(raw) : Number.NaN;
    if (o.kind === 'binary') {
      if (v !== 0 && v !== 1)
        problems.push({ line, field: o.name, message: `must be 0 or 1, got ${raw.length > 40 ? shown(raw) : raw}`, kind: 'not-binary' });
    } else if (!Number.isFinite(v)) {
      problems.push({ line, field: o.name, message: `must be a number, got ${shown(raw)}`, kind: 'invalid' });
    }
    return v;
  });
  const features = spec.features.map((f, k) => {
    const raw = (cells[index.features[k] as number] ?? '').trim();
    if (raw === '') problems.push({ line, field: f.name, message: 'missing', kind: 'invalid' });
    else if (f.kind === 'numeric' && !(NUMBER.test(raw) && Number.isFinite(Number(raw)))) {
      problems.push({ line, field: f.name, message: `must be a number, got ${shown(raw)}`, kind: 'invalid' });
    }
    return raw;
  });
  return problems.length > 0 ? { problems } : { row: { arm, outcomes, features } };
}

/** The problem as one line of text. */
export function formatProblem(p: RowProblem): string {
  return `line ${p.line}: ${p.field}: ${p.message}`;
}
