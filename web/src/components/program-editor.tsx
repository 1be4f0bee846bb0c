import { useState, type FormEvent } from 'react';
import { ApiError, put } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { ProgramVersionT } from '../types.ts';
import { RefusedFields, SaveCancel } from './ui.tsx';

// The program as the JSON that PUT /loyalty/program takes (what `patron loyalty program set FILE` reads), edited in
// place by an admin. Saving stores a new version and puts it in force; the earlier ones stay in the history.

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

  return (
    <form className="panel offer-form" onSubmit={(e) => void save(e)} data-testid="program-editor">
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
      {error && <RefusedFields error={error} name={(f) => f.replace(/^body\./, '')} testId="program-fields" />}
      <SaveCancel label={t('programEditor.save')} busy={busy} onCancel={onCancel} testId="program-save" />
    </form>
  );
}
