import { useState, type FormEvent } from 'react';
import { ApiError } from '../api.ts';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { Brand } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';

export function LoginPage() {
  const { t, tMaybe } = useI18n();
  const { state, login } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const notice = state.status === 'anonymous' ? state.notice : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(email, password);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  };

  const errorText = error && (tMaybe(`error.${error.code}`, { message: error.message }) ?? t('error.generic', { message: error.message }));

  return (
    <main className="login" data-testid="page-login">
      <form className="login-card" onSubmit={submit}>
        <Brand />
        <h1>{t('login.title')}</h1>
        {notice && !error && (
          <p className="notice" role="status" data-testid="login-notice">
            {t(notice)}
          </p>
        )}
        {errorText && (
          <p className="error-text" role="alert" data-testid="login-error" data-code={error?.code}>
            {errorText}
          </p>
        )}
        <label className="field">
          <span>{t('login.email')}</span>
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="login-email"
          />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="login-password"
          />
        </label>
        <button type="submit" disabled={busy} data-testid="login-submit">
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
        <p className="muted small">{t('login.hint')}</p>
        <LanguageSwitch />
      </form>
    </main>
  );
}
