import { LOCALES, useI18n, type Locale } from '../i18n/i18n.tsx';

export function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n();
  return (
    <label className="field lang">
      <span>{t('nav.language')}</span>
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} data-testid="language">
        {LOCALES.map((l) => (
          <option key={l.code} value={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
