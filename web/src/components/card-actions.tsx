import { useState, type FormEvent } from 'react';
import { ApiError, post } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';

// What the contact centre does for a customer who lost a card: block it (the points stay with the customer), or
// replace it by a new number (the balance follows). POST /loyalty/cards/{number}/block and …/replace, admin or agent.

export function CardActions({ number, onChanged }: { number: string; onChanged: () => void }) {
  const { t, tMaybe } = useI18n();
  const [replacing, setReplacing] = useState(false);
  const [newNumber, setNewNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      setReplacing(false);
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e)));
    } finally {
      setBusy(false);
    }
  };
  const block = () => {
    if (window.confirm(t('cardActions.blockConfirm', { number })))
      void run(() => post(`/loyalty/cards/${encodeURIComponent(number)}/block`));
  };
  const replace = (e: FormEvent) => {
    e.preventDefault();
    void run(() => post(`/loyalty/cards/${encodeURIComponent(number)}/replace`, { newNumber: newNumber.trim() }));
  };
  return (
    <div className="card-actions">
      {replacing ? (
        <form onSubmit={replace} className="toolbar">
          <input
            value={newNumber}
            onChange={(e) => setNewNumber(e.target.value)}
            placeholder={t('cardActions.newNumber')}
            aria-label={t('cardActions.newNumber')}
            aria-invalid={!!error}
            data-testid="card-new-number"
          />
          <button type="submit" disabled={busy || !newNumber.trim()} data-testid="card-replace-submit">
            {t('cardActions.replace')}
          </button>
          <button type="button" className="secondary" onClick={() => setReplacing(false)}>
            {t('common.cancel')}
          </button>
        </form>
      ) : (
        <>
          <button type="button" className="secondary" disabled={busy} onClick={block} data-testid="card-block">
            {t('cardActions.block')}
          </button>{' '}
          <button type="button" className="secondary" disabled={busy} onClick={() => setReplacing(true)} data-testid="card-replace">
            {t('cardActions.replace')}
          </button>
        </>
      )}
      {error && (
        <p className="bad small" role="alert" data-testid="card-error" data-code={error.code}>
          {tMaybe(`error.${error.code}`, { message: error.message }) ?? error.message}
        </p>
      )}
    </div>
  );
}
