import { useState, type ReactNode } from 'react';
import type { ApiError } from '../api.ts';
import { download, toCsv } from '../csv.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';

/** An API error in words: a role without access gets its own panel; other codes their translated message. */
export function ErrorPanel({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t, tMaybe } = useI18n();
  const { state } = useSession();
  if (error.code === 'AUTH_FORBIDDEN') {
    const role = state.status === 'signed-in' ? (tMaybe(`role.${state.user.role}`) ?? state.user.role) : '';
    return (
      <section className="panel forbidden" role="alert" data-testid="forbidden">
        <h2>{t('forbidden.title')}</h2>
        <p>{t('error.AUTH_FORBIDDEN.detail', { role })}</p>
      </section>
    );
  }
  const text = tMaybe(`error.${error.code}`, { message: error.message }) ?? t('error.generic', { message: error.message });
  return (
    <section className="panel error" role="alert" data-testid="error" data-code={error.code}>
      <h2>{t('error.title')}</h2>
      <p>{text}</p>
      {error.requestId && <p className="muted">{t('common.requestId', { id: error.requestId })}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </section>
  );
}

/** The logo and product name, at the top of the navigation and of the login card. */
export function Brand() {
  const { t } = useI18n();
  return (
    <div className="brand">
      <span className="logo" aria-hidden="true">
        P
      </span>
      <div>
        <strong>{t('app.title')}</strong>
        <div className="muted small">{t('app.subtitle')}</div>
      </div>
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted loading" aria-busy="true">
      {t('common.loading')}
    </p>
  );
}

/**
 * A refused request: its panel, then each field the API named, in the words of the form it came from (`name` turns
 * `body.lines.1.quantity` into "Line 2, Quantity").
 */
export function RefusedFields({ error, name, testId }: { error: ApiError; name: (field: string) => string; testId: string }) {
  return (
    <>
      <ErrorPanel error={error} />
      {error.fields.length > 0 && (
        <ul className="bad" data-testid={testId}>
          {error.fields.map((f) => (
            <li key={f.field}>
              {name(f.field)}: {f.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** A form's submit button and its Cancel, side by side. */
export function SaveCancel({ label, busy, onCancel, testId }: { label: string; busy: boolean; onCancel: () => void; testId: string }) {
  const { t } = useI18n();
  return (
    <div className="toolbar">
      <button type="submit" disabled={busy} data-testid={testId}>
        {label}
      </button>
      <button type="button" className="secondary" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

/** A select of identity kinds, named as the Customer 360 search names them (c360.kind.*). */
export function IdentityKindSelect<K extends string>({
  kinds,
  value,
  onChange,
  testId,
}: {
  kinds: readonly K[];
  value: K;
  onChange: (k: K) => void;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <select value={value} onChange={(e) => onChange(e.target.value as K)} data-testid={testId}>
      {kinds.map((k) => (
        <option key={k} value={k}>
          {t(`c360.kind.${k}` as Parameters<typeof t>[0])}
        </option>
      ))}
    </select>
  );
}

export function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId}>
        {value}
      </div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

export function DateField({
  label,
  value,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  testId?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input type="date" value={value} onChange={(e) => e.target.value && onChange(e.target.value)} data-testid={testId} />
    </label>
  );
}

/** A button that builds a CSV (possibly by loading every page first) and saves it. */
export function CsvButton({
  fileName,
  build,
  testId,
}: {
  fileName: string;
  build: () => Promise<{ header: string[]; rows: (string | number | null)[][] }> | { header: string[]; rows: (string | number | null)[][] };
  testId?: string;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      disabled={busy}
      data-testid={testId}
      onClick={async () => {
        setBusy(true);
        try {
          const { header, rows } = await build();
          download(fileName, toCsv(header, rows));
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy ? t('common.loading') : t('common.exportCsv')}
    </button>
  );
}

export function Section({
  title,
  actions,
  children,
  testId,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className="panel" data-testid={testId}>
      <header className="panel-head">
        <h2>{title}</h2>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A select of named things (an experiment, a campaign) that navigates to `${base}/${name}` when one is picked. */
export function NamePicker({
  label,
  names,
  value,
  base,
  testId,
}: {
  label: string;
  names: string[];
  value: string | undefined;
  base: string;
  testId: string;
}) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => navigate(`${base}/${encodeURIComponent(e.target.value)}`)} data-testid={testId}>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}
