import { useState, type FormEvent } from 'react';
import { ApiError, put } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { ProgramVersionT } from '../types.ts';
import { RefusedFields, SaveCancel } from './ui.tsx';

// The program as the JSON that PUT /loyalty/program takes (what `patron loyalty program set FILE` reads), edited in
// place by an admin. Saving stores a new version and puts it in force; the earlier ones stay in the history. Its
// everyday levers (the earn rate, the point's value, the share points may pay, the pending days, the expiry…) are
// also fields over the text: each reads its value from the JSON and writes it back, so the two never disagree.

/** The levers, as [section, key] of the program's JSON; pointValue is an amount (a string), the others numbers. */
const LEVERS = [
  ['earn', 'basePercent'],
  ['burn', 'pointValue'],
  ['burn', 'maxSharePercent'],
  ['lifecycle', 'pendingDays'],
  ['lifecycle', 'expiryMonths'],
  ['tiers', 'windowDays'],
  ['tiers', 'downgradeGraceDays'],
  ['ladder', 'marginPercent'],
] as const;

type Json = Record<string, Record<string, unknown> | undefined>;

function parsed(text: string): Json | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

/** The text with one lever set: a number where the field holds one (an amount stays text), else as typed, for the server to name. */
function withLever(text: string, section: string, key: string, typed: string): string {
  const config = parsed(text);
  if (!config) return text;
  const value = key === 'pointValue' || !/^\s*-?\d+(\.\d+)?\s*$/.test(typed) ? typed.trim() : Number(typed);
  return JSON.stringify({ ...config, [section]: { ...(config[section] ?? {}), [key]: value } }, null, 2);
}

export function ProgramEditor({ current, onSaved, onCancel }: { current: ProgramVersionT; onSaved: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState(() => JSON.stringify(current.config, null, 2));
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [notJson, setNotJson] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let config: unknown;
    try {
      config = JSON.parse(text);
      setNotJson(null);
    } catch (err) {
      setNotJson(err instanceof Error ? err.message : String(err));
      return;
    }
    setBusy(true);
    try {
      await put('/loyalty/program', { config, ...(note.trim() ? { note: note.trim() } : {}) });
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  };

  const config = parsed(text);
  const leverLabel = (section: string, key: string) =>
    t(`programEditor.lever.${section}.${key}` as MessageKey, { currency: current.config.currency });
  // A refused lever by its label; any other field by its path in the JSON.
  const fieldName = (f: string) => {
    const lever = LEVERS.find(([section, key]) => f === `body.config.${section}.${key}`);
    return lever ? leverLabel(lever[0], lever[1]) : f.replace(/^body\./, '');
  };
  const refused = (section: string, key: string) => error?.fields.some((f) => f.field === `body.config.${section}.${key}`) ?? false;
  return (
    <form className="panel offer-form" onSubmit={(e) => void save(e)} data-testid="program-editor">
      <div className="form-grid levers">
        {LEVERS.map(([section, key]) => (
          <label className="field" key={`${section}.${key}`}>
            <span>{leverLabel(section, key)}</span>
            <input
              value={config ? String(config[section]?.[key] ?? '') : ''}
              onChange={(e) => setText((x) => withLever(x, section, key, e.target.value))}
              disabled={!config}
              inputMode="decimal"
              aria-invalid={refused(section, key)}
              data-testid={`program-${section}-${key}`}
            />
          </label>
        ))}
      </div>
      <p className="muted small">{t('programEditor.help', { version: current.version })}</p>
      <textarea
        className="code"
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={24}
        spellCheck={false}
        aria-label={t('programEditor.config')}
        aria-invalid={notJson !== null || (error?.fields.length ?? 0) > 0}
        data-testid="program-json"
      />
      <label className="field">
        <span>{t('programEditor.note')}</span>
        <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} data-testid="program-note" />
      </label>
      {notJson !== null && (
        <p className="bad" role="alert" data-testid="program-not-json">
          {t('programEditor.notJson', { message: notJson })}
        </p>
      )}
      {error && <RefusedFields error={error} name={fieldName} testId="program-fields" />}
      <SaveCancel label={t('programEditor.save')} busy={busy} onCancel={onCancel} testId="program-save" />
    </form>
  );
}
