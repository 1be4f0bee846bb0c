import { createWriteStream } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../../platform/db/client.ts';
import { AppError, isAppError } from '../../platform/errors.ts';
import { IMPORT_UPLOAD_LIMIT, type ImportProgress, type ImportRun, type ImportSummary } from '../../platform/http/console.contract.ts';
import { newId } from '../../platform/ids.ts';
import { IMPORT_FORMATS } from './index.ts';
import { runImport } from './run-import.ts';

type Live = { id: string; format: string; fileName: string; startedAt: Date; progress: ImportProgress; done: Promise<void> };

type RunRow = { id: string; format: string; file: string; status: string; startedAt: Date; finishedAt: Date | null; summary: (Partial<ImportSummary> & { error?: string }) | null };

const RUN_COLUMNS = `id, format, file, status, started_at AS "startedAt", finished_at AS "finishedAt", summary`;

/** A file name to keep beside the upload: its last path part, without characters a shell or a path would misread. */
function safeFileName(name: string | undefined): string {
  const base = basename(name ?? '').replace(/[^\w.\-]+/g, '_').replace(/^\.+/, '');
  return base.slice(0, 120) || 'upload.csv';
}

/**
 * Imports uploaded by the console. The body is streamed to a temporary file (never held in memory), then imported in
 * the background with runImport. Progress is kept in memory while the run goes on; the outcome is in
 * platform.import_runs, so a page reload (or another API process) sees it. The upload is deleted when the run ends;
 * its rejects file stays in the temporary folder until the OS clears it.
 */
export class ImportUploads {
  private readonly live = new Map<string, Live>();
  /** The final progress of this process's recent runs: the table keeps lines and receipts, not bytes. */
  private readonly finished = new Map<string, ImportProgress>();

  constructor(
    private readonly database: Database,
    private readonly logger: { error(obj: object, msg: string): void },
  ) {}

  /** Stores the body in a temporary file and starts the import; resolves with the run id once the file is stored. */
  async start(body: Readable, opts: { format: string; fileName?: string | undefined; store?: string | undefined; currency?: string | undefined; contentLength?: number | undefined }): Promise<string> {
    const fmt = IMPORT_FORMATS[opts.format];
    if (!fmt) throw new AppError('VALIDATION_FAILED', `Unknown import format '${opts.format}'.`, { fields: [{ field: 'format', message: 'unknown' }] });
    if (opts.contentLength !== undefined && opts.contentLength > IMPORT_UPLOAD_LIMIT) throw tooLarge();
    const dir = await mkdtemp(join(tmpdir(), 'patron-upload-'));
    const fileName = safeFileName(opts.fileName);
    const path = join(dir, fileName);
    let size = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        cb(size > IMPORT_UPLOAD_LIMIT ? tooLarge() : null, chunk);
      },
    });
    try {
      await pipeline(body, limit, createWriteStream(path));
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      if (isAppError(e)) throw e;
      throw new AppError('IMPORT_FILE_UNREADABLE', `The upload was interrupted: ${(e as Error).message}.`);
    }
    if (size === 0) {
      await rm(dir, { recursive: true, force: true });
      throw new AppError('VALIDATION_FAILED', 'The request body is empty: send the file as the body.', { fields: [{ field: 'body', message: 'empty' }] });
    }
    const id = newId('importRun');
    const run: Live = { id, format: fmt.name, fileName, startedAt: new Date(), progress: { bytesRead: 0, totalBytes: size, linesRead: 0, receiptsCreated: 0 }, done: Promise.resolve() };
    run.done = runImport(this.database, fmt, path, {
      importRunId: id,
      store: opts.store,
      currency: opts.currency,
      onProgress: (p) => {
        run.progress = p;
      },
    })
      .then((summary) => {
        // runImport reports progress per parsed chunk, before that chunk's receipts are stored: end on the totals.
        run.progress = { ...run.progress, linesRead: summary.linesRead, receiptsCreated: summary.receiptsCreated };
      })
      .catch(async (e: unknown) => {
        const message = isAppError(e) ? e.message : 'The import failed unexpectedly; the server log has the details under this run id.';
        if (!isAppError(e)) this.logger.error({ err: e, importRunId: id }, 'import failed');
        await this.database
          .query(
            `INSERT INTO platform.import_runs (id, format, file, status, finished_at, summary) VALUES ($1, $2, $3, 'failed', now(), jsonb_build_object('error', $4::text))
             ON CONFLICT (id) DO UPDATE SET status = 'failed', finished_at = coalesce(platform.import_runs.finished_at, now()),
               summary = coalesce(platform.import_runs.summary, '{}'::jsonb) || jsonb_build_object('error', $4::text)`,
            [id, fmt.name, path, message],
          )
          .catch((err: unknown) => this.logger.error({ err, importRunId: id }, 'could not record a failed import'));
      })
      .finally(async () => {
        this.finished.set(id, { ...run.progress, bytesRead: size, totalBytes: size });
        if (this.finished.size > 100) this.finished.delete(this.finished.keys().next().value!);
        this.live.delete(id);
        await rm(path, { force: true });
      });
    this.live.set(id, run);
    return id;
  }

  async get(id: string): Promise<ImportRun> {
    const rows = await this.database.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM platform.import_runs WHERE id = $1`, [id]);
    const row = rows[0];
    const live = this.live.get(id);
    if (!row && !live) throw new AppError('IMPORT_RUN_NOT_FOUND', `No import run ${id}.`);
    return this.present(row, live);
  }

  /** The latest runs, newest first. */
  async list(limit = 20): Promise<ImportRun[]> {
    const rows = await this.database.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM platform.import_runs ORDER BY started_at DESC, id DESC LIMIT $1`, [limit]);
    const seen = new Set(rows.map((r) => r.id));
    // A run whose file is still being opened has no row yet.
    const early = [...this.live.values()].filter((l) => !seen.has(l.id)).map((l) => this.present(undefined, l));
    return [...early, ...rows.map((r) => this.present(r, this.live.get(r.id)))].slice(0, limit);
  }

  /** The path of the run's rejects CSV; IMPORT_NO_REJECTS when it rejected nothing or the file is gone. */
  async rejectsFile(id: string): Promise<string> {
    const run = await this.get(id);
    const path = run.summary?.rejectsFile;
    if (!path) throw new AppError('IMPORT_NO_REJECTS', run.status === 'running' ? `Import ${id} is still running.` : `Import ${id} rejected no rows.`);
    try {
      await access(path);
    } catch {
      throw new AppError('IMPORT_NO_REJECTS', `The rejects file of import ${id} is gone.`);
    }
    return path;
  }

  /** Waits for the runs in progress (before the database closes). */
  async drain(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.done));
  }

  private present(row: RunRow | undefined, live: Live | undefined): ImportRun {
    const status = live ? 'running' : row?.status === 'done' ? 'done' : row?.status === 'failed' ? 'failed' : 'running';
    const s = row?.summary ?? null;
    const summary = status === 'done' && s && s.importRunId ? (s as ImportSummary) : null;
    return {
      id: live?.id ?? row!.id,
      format: live?.format ?? row!.format,
      fileName: live?.fileName ?? basename(row!.file),
      status,
      startedAt: (live?.startedAt ?? new Date(row!.startedAt)).toISOString(),
      finishedAt: !live && row?.finishedAt ? new Date(row.finishedAt).toISOString() : null,
      progress: live?.progress ??
        this.finished.get(row!.id) ?? { bytesRead: 0, totalBytes: 0, linesRead: s?.linesRead ?? 0, receiptsCreated: s?.receiptsCreated ?? 0 },
      summary,
      error: status === 'failed' ? (s?.error ?? 'The import did not finish.') : null,
    };
  }
}

function tooLarge(): AppError {
  return new AppError('IMPORT_FILE_TOO_LARGE', `The file is larger than ${IMPORT_UPLOAD_LIMIT / 1024 / 1024} MB; import it with \`patron import\` instead.`);
}
