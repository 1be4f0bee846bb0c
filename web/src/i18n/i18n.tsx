import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type Catalogue, type MessageKey } from './en.ts';
import { ru } from './ru.ts';

export type Locale = 'en' | 'ru';
export const LOCALES: { code: Locale; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
];
const CATALOGUES: Record<Locale, Catalogue> = { en, ru };
const STORAGE_KEY = 'patron.locale';

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'ru') return saved;
  return navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export type Vars = Record<string, string | number>;

export type I18n = {
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  /** A message by a key built at run time (an error code, a cell key); undefined when the catalogue lacks it. */
  tMaybe: (key: string, vars?: Vars) => string | undefined;
  int: (n: number) => string;
  num: (n: number, digits?: number) => string;
  pct: (x: number, digits?: number) => string;
  /** Money from the API's decimal string (or a number of major units) in its currency. */
  money: (amount: string | number, currency: string, compact?: boolean) => string;
  date: (iso: string) => string;
  dateTime: (iso: string) => string;
  bytes: (n: number) => string;
};

function fill(text: string, vars?: Vars): string {
  return vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;
}

function build(locale: Locale, setLocale: (l: Locale) => void): I18n {
  const cat = CATALOGUES[locale];
  const tag = locale === 'ru' ? 'ru-RU' : 'en-GB';
  const intF = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const moneyF = new Map<string, Intl.NumberFormat>();
  const moneyFormat = (currency: string, compact: boolean) => {
    const k = `${currency}:${compact}`;
    let f = moneyF.get(k);
    if (!f) {
      f = new Intl.NumberFormat(
        tag,
        compact ? { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 } : { style: 'currency', currency },
      );
      moneyF.set(k, f);
    }
    return f;
  };
  // Dates from the API are calendar dates (YYYY-MM-DD) or instants; a calendar date must not shift with the time zone.
  const dateF = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTimeF = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
  return {
    locale,
    setLocale,
    t: (key, vars) => fill(cat[key], vars),
    tMaybe: (key, vars) => (key in cat ? fill(cat[key as MessageKey], vars) : undefined),
    int: (n) => intF.format(n),
    num: (n, digits = 2) => new Intl.NumberFormat(tag, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n),
    pct: (x, digits = 1) =>
      new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x),
    money: (amount, currency, compact = false) =>
      moneyFormat(currency, compact).format(typeof amount === 'number' ? amount : Number(amount)),
    date: (iso) => dateF.format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)),
    dateTime: (iso) => dateTimeF.format(new Date(iso)),
    bytes: (n) =>
      new Intl.NumberFormat(tag, { style: 'unit', unit: n >= 1e6 ? 'megabyte' : 'kilobyte', maximumFractionDigits: 1 }).format(
        n >= 1e6 ? n / 1e6 : n / 1e3,
      ),
  };
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const value = useMemo(
    () =>
      build(locale, (l) => {
        localStorage.setItem(STORAGE_KEY, l);
        document.documentElement.lang = l;
        setLocaleState(l);
      }),
    [locale],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
