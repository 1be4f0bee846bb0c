import { useEffect, useState, type FormEvent } from 'react';
import type { ApiError } from '../api.ts';
import { get, request } from '../api.ts';
import { ErrorPanel, Loading, Section } from '../components/ui.tsx';
import { download, parseCsv } from '../csv.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, navigate } from '../router.tsx';
import type { ImportFormat, ImportRun, ImportRunList } from '../types.ts';
import { asApiError, useApi } from '../use-api.ts';

const FORMATS: ImportFormat[] = ['receipts', 'online-retail', 'cdnow'];

function Upload() {
  const { t } = useI18n();
  const [format, setFormat] = useState<ImportFormat>('receipts');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const gz = /\.gz$/i.test(file.name) || file.type === 'application/gzip';
      // The file goes as the raw body: no multipart parsing on the server, and it streams from disk in the browser.
      const res = await request('POST', '/imports', {
        query: { format, fileName: file.name },
        body: file,
        contentType: gz ? 'application/gzip' : 'text/csv',
      });
      const run = (await res.json()) as { id: string };
      navigate(`/imports/${run.id}`);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={t('imports.upload')}>
      <form className="toolbar" onSubmit={submit}>
        <label className="field">
          <span>{t('imports.format')}</span>
          <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)} data-testid="import-format">
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {t(`imports.format.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>{t('imports.file')}</span>
          <input
            type="file"
            accept=".csv,.gz,.txt,text/csv,application/gzip"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="import-file"
          />
        </label>
        <button type="submit" disabled={!file || busy} data-testid="import-submit">
          {busy ? t('imports.uploading') : t('imports.start')}
        </button>
      </form>
      {error && <ErrorPanel error={error} />}
    </Section>
  );
}

function Run({ id }: { id: string }) {
  const { t, int, bytes, pct } = useI18n();
  const [run, setRun] = useState<ImportRun>();
  const [error, setError] = useState<ApiError>();
  const [rejects, setRejects] = useState<string>();

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await get<ImportRun>(`/imports/${id}`);
        if (!live) return;
        setRun(r);
        if (r.status === 'running') timer = setTimeout(poll, 700);
        else {
          const res = await request('GET', `/imports/${id}/rejects`).catch(() => undefined);
          if (live && res) setRejects(await res.text());
        }
      } catch (e) {
        if (live) setError(asApiError(e));
      }
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [id]);

  if (error) return <ErrorPanel error={error} />;
  if (!run) return <Loading />;
  const p = run.progress;
  const share = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : run.status === 'running' ? 0 : 1;
  const rows = rejects ? parseCsv(rejects).filter((r) => r.some((c) => c !== '')) : [];
  const [head, ...body] = rows;
  const errText = run.error ?? undefined;

  return (
    <Section title={`${t('imports.progress')}: ${run.fileName ?? run.id}`} testId="import-run">
      <p>
        <span className={`badge status-${run.status}`} data-testid="import-status" data-status={run.status}>
          {t(`imports.status.${run.status}`)}
        </span>{' '}
        {t('imports.lines', { lines: int(p.linesRead), receipts: int(p.receiptsCreated) })}
      </p>
      <progress max={1} value={share} aria-label={t('imports.progress')} />
      <p className="muted small">
        {p.totalBytes ? t('imports.bytes', { read: bytes(p.bytesRead), total: bytes(p.totalBytes) }) : bytes(p.bytesRead)} · {pct(share, 0)}
      </p>
      {errText && (
        <p className="error-text" role="alert">
          {errText}
        </p>
      )}
      {run.summary && (
        <>
          <h3>{t('imports.summary')}</h3>
          <dl className="summary" data-testid="import-summary">
            {Object.entries(run.summary)
              .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
              .map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{typeof v === 'number' ? int(v) : String(v)}</dd>
                </div>
              ))}
          </dl>
        </>
      )}
      {run.status !== 'running' && (
        <>
          <h3>{t('imports.rejects')}</h3>
          {body.length === 0 ? (
            <p className="muted" data-testid="no-rejects">
              {t('imports.noRejects')}
            </p>
          ) : (
            <>
              <button
                type="button"
                className="secondary"
                onClick={() => download(`${(run.fileName ?? run.id).replace(/(\.csv)?(\.gz)?$/i, '')}.rejects.csv`, rejects ?? '')}
              >
                {t('imports.downloadRejects')}
              </button>
              <div className="table-wrap">
                <table data-testid="rejects">
                  <thead>
                    <tr>
                      {head?.map((h, i) => (
                        <th key={i}>{h}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {body.slice(0, 200).map((r, i) => (
                      <tr key={i}>
                        {r.map((c, j) => (
                          <td key={j}>{c}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {body.length > 200 && <p className="muted">{t('common.shown', { shown: int(200), total: int(body.length) })}</p>}
            </>
          )}
        </>
      )}
    </Section>
  );
}

function Recent() {
  const { t, dateTime } = useI18n();
  const runs = useApi(() => get<ImportRunList>('/imports'), []);
  const list = runs.data?.runs ?? [];
  return (
    <Section title={t('imports.recent')} testId="imports-recent">
      {runs.loading && <Loading />}
      {runs.error && <ErrorPanel error={runs.error} onRetry={runs.reload} />}
      {runs.data && list.length === 0 && <p className="muted">{t('common.none')}</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('imports.started')}</th>
                <th>{t('imports.fileName')}</th>
                <th>{t('imports.format')}</th>
                <th>{t('imports.status')}</th>
                <th className="num">{t('c360.receipts')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td>{r.startedAt ? dateTime(r.startedAt) : '—'}</td>
                  <td>
                    <Link to={`/imports/${r.id}`}>{r.fileName ?? r.id}</Link>
                  </td>
                  <td>{r.format}</td>
                  <td>{t(`imports.status.${r.status}`)}</td>
                  <td className="num">{r.progress?.receiptsCreated ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

export function ImportsPage({ id }: { id?: string }) {
  const { t } = useI18n();
  return (
    <div className="page" data-testid="page-imports">
      <header className="page-head">
        <h1>{t('imports.title')}</h1>
      </header>
      <Upload />
      {id && <Run key={id} id={id} />}
      <Recent />
    </div>
  );
}
