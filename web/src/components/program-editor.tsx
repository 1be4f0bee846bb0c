import { useState, type FormEvent } from 'react';
import { ApiError, put } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { ProgramVersionT } from '../types.ts';
import { RefusedFields, SaveCancel } from './ui.tsx';

// The program as the JSON that PUT /loyalty/program takes (what `patron loyalty program set FILE` reads), edited in
// place by an admin. Saving stores a new version and puts it in force; the earlier ones stay in the history. Its
// everyday levers (the earn rate, the point's value, the share points may pay, the pending days, the expiry…) are
// also fields over the text: each reads its value from the JSON and writes it back, so the two never disagree. A
// lever keeps the text as typed ("1.0" on the way to "1.05") while the JSON holds its number.

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

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parsed(text: string): Json | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** A lever's section of the JSON, when it is an object (or absent) that a lever can write into. */
function sectionOf(config: Json | null, section: string): Record<string, unknown> | null {
  if (!config) return null;
  const v = config[section];
  return v === undefined ? {} : isObject(v) ? v : null;
}

/**
 * The text with one lever set: a number where the field holds one (an amount stays text), else as typed, for the
 * server to name; an emptied lever leaves its key out, so that the program's default applies.
 */
function withLever(text: string, section: string, key: string, typed: string): string {
  const config = parsed(text);
  const within = sectionOf(config, section);
  if (!config || !within) return text;
  const s = typed.trim();
  const { [key]: _old, ...rest } = within;
  const next = s === '' ? rest : { ...rest, [key]: key === 'pointValue' || !/^-?\d+(\.\d+)?$/.test(s) ? s : Number(s) };
  return JSON.stringify({ ...config, [section]: next }, null, 2);
}

export function ProgramEditor({ current, onSaved, onCancel }: { current: ProgramVersionT; onSaved: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState(() => JSON.stringify(current.config, null, 2));
  /** What was typed in each lever since the JSON was last edited by hand. */
  const [typed, setTyped] = useState<Record<string, string>>({});
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
        {LEVERS.map(([section, key]) => {
          const within = sectionOf(config, section);
          const k = `${section}.${key}`;
          return (
            <label className="field" key={k}>
              <span>{leverLabel(section, key)}</span>
              <input
                value={typed[k] ?? String(within?.[key] ?? '')}
                onChange={(e) => {
                  const v = e.target.value;
                  setTyped((x) => ({ ...x, [k]: v }));
                  setText((x) => withLever(x, section, key, v));
                }}
                disabled={!within}
                inputMode="decimal"
                aria-invalid={refused(section, key)}
                data-testid={`program-${section}-${key}`}
              />
            </label>
          );
        })}
      </div>
      <p className="muted small">{t('programEditor.help', { version: current.version })}</p>
      <textarea
        className="code"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          // Edited by hand: the levers read the JSON again.
          setTyped({});
        }}
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
