import type { Queryable, Session } from '../../platform/db/client.ts';
import { copyRows, pgArray } from '../../platform/db/copy.ts';
import type { FeatureSpec, OutcomeSpec } from './experiments.schema.ts';

/** An experiment as stored. */
export type ExperimentRow = {
  id: string;
  name: string;
  source: string;
  arms: string[];
  controlArm: string;
  outcomes: OutcomeSpec[];
  features: FeatureSpec[];
  modelFeatures: string[];
  subjects: number;
  createdAt: Date;
};

/** One subject as read back: the arm, outcome values in the experiment's order, attribute values as written. */
export type SubjectRow = { arm: string; outcomes: number[]; features: string[] };

/** A subject to write; `rowNo` is the data row of the source file (1 = the first row after the header). */
export type NewSubject = { rowNo: number; arm: string; outcomes: readonly number[]; features: readonly string[] };

const EXPERIMENT_COLUMNS = `id, name, source, arms, control_arm AS "controlArm", outcomes, features, model_features AS "modelFeatures",
  subjects, created_at AS "createdAt"`;

export async function findExperimentByName(q: Queryable, name: string): Promise<ExperimentRow | undefined> {
  const rows = await q.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments.experiments WHERE name = $1`, [name]);
  return rows[0];
}

export async function listExperiments(q: Queryable): Promise<ExperimentRow[]> {
  return q.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments.experiments ORDER BY created_at, name`);
}

/**
 * Inserts the experiment with a subject count of 0 (set by finishExperiment once every subject is written). The
 * name's unique key is what refuses a second experiment of the same name, even from a concurrent import.
 */
export async function insertExperiment(s: Session, e: Omit<ExperimentRow, 'createdAt' | 'subjects'>): Promise<void> {
  await s.query(
    `INSERT INTO experiments.experiments (id, name, source, arms, control_arm, outcomes, features, model_features, subjects)
     VALUES ($1, $2, $3, $4::text[], $5, $6::jsonb, $7::jsonb, $8::text[], 0)`,
    [e.id, e.name, e.source, e.arms, e.controlArm, JSON.stringify(e.outcomes), JSON.stringify(e.features), e.modelFeatures],
  );
}

export async function finishExperiment(s: Session, id: string, subjects: number): Promise<void> {
  await s.query(`UPDATE experiments.experiments SET subjects = $2 WHERE id = $1`, [id, subjects]);
}

/** Writes a batch of subjects with one COPY. */
export async function copySubjects(s: Session, experimentId: string, batch: readonly NewSubject[]): Promise<void> {
  if (batch.length === 0) return;
  await s.copyCsv(
    'experiments.subjects',
    ['experiment_id', 'row_no', 'arm', 'outcomes', 'features'],
    copyRows(batch.map((r) => [experimentId, r.rowNo, r.arm, pgArray([...r.outcomes]), pgArray([...r.features])])),
  );
}

/** Every subject of an experiment, in file order. */
export async function readSubjects(q: Queryable, experimentId: string): Promise<SubjectRow[]> {
  return q.query<SubjectRow>(`SELECT arm, outcomes, features FROM experiments.subjects WHERE experiment_id = $1 ORDER BY row_no`, [
    experimentId,
  ]);
}
