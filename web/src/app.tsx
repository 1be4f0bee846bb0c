import { useEffect } from 'react';
import { AsOfProvider } from './as-of.tsx';
import { LanguageSwitch } from './components/language-switch.tsx';
import { Brand, Loading } from './components/ui.tsx';
import type { MessageKey } from './i18n/en.ts';
import { useI18n } from './i18n/i18n.tsx';
import { CampaignsPage } from './pages/campaigns.tsx';
import { CustomerPage } from './pages/customer.tsx';
import { ExperimentsPage } from './pages/experiments.tsx';
import { ImportsPage } from './pages/imports.tsx';
import { LoginPage } from './pages/login.tsx';
import { LoyaltyPage } from './pages/loyalty.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { SegmentsPage } from './pages/segments.tsx';
import { ValuePage } from './pages/value.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { useSession } from './session.tsx';

const NAV: { to: string; key: MessageKey; match: RegExp }[] = [
  { to: '/', key: 'nav.overview', match: /^\/$/ },
  { to: '/segments', key: 'nav.segments', match: /^\/segments/ },
  { to: '/value', key: 'nav.value', match: /^\/value/ },
  { to: '/customers', key: 'nav.customers', match: /^\/customers/ },
  { to: '/loyalty', key: 'nav.loyalty', match: /^\/loyalty/ },
  { to: '/campaigns', key: 'nav.campaigns', match: /^\/campaigns/ },
  { to: '/experiments', key: 'nav.experiments', match: /^\/experiments/ },
  { to: '/imports', key: 'nav.imports', match: /^\/imports/ },
];

function Page({ path }: { path: string }) {
  let m: RegExpMatchArray | null;
  if (path === '/' || path === '') return <OverviewPage />;
  if (path.startsWith('/segments')) return <SegmentsPage />;
  if (path.startsWith('/value')) return <ValuePage />;
  if (path.startsWith('/loyalty')) return <LoyaltyPage />;
  if ((m = path.match(/^\/customers(?:\/([^/]+))?/))) return <CustomerPage id={m[1]} />;
  if ((m = path.match(/^\/imports(?:\/([^/]+))?/))) return <ImportsPage id={m[1]} />;
  if ((m = path.match(/^\/campaigns(?:\/([^/]+))?/))) return <CampaignsPage name={m[1] ? decodeURIComponent(m[1]) : undefined} />;
  if ((m = path.match(/^\/experiments(?:\/([^/]+))?/))) return <ExperimentsPage name={m[1] ? decodeURIComponent(m[1]) : undefined} />;
  return <OverviewPage />;
}

export function App() {
  const { t, tMaybe } = useI18n();
  const { state, logout } = useSession();
  const { path } = useLocation();
  const signedIn = state.status === 'signed-in';
  useEffect(() => {
    if (signedIn && path === '/login') navigate('/', true);
  }, [signedIn, path]);

  if (state.status === 'loading' || (signedIn && path === '/login')) return <Loading />;
  if (state.status === 'anonymous') return <LoginPage />;
  const user = state.user;
  return (
    <AsOfProvider>
      <div className="shell">
        <nav className="nav" aria-label="main">
          <Brand />
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} className={n.match.test(path) ? 'active' : ''} testId={`nav-${n.to.slice(1) || 'overview'}`}>
                  {t(n.key)}
                </Link>
              </li>
            ))}
          </ul>
          <div className="nav-foot">
            <div className="small muted" data-testid="signed-in-as">
              {t('nav.signedInAs', { name: user.name || user.email, role: tMaybe(`role.${user.role}`) ?? user.role })}
            </div>
            <LanguageSwitch />
            <button type="button" className="secondary" onClick={() => void logout()} data-testid="logout">
              {t('nav.logout')}
            </button>
          </div>
        </nav>
        <main className="main">
          <Page path={path} />
        </main>
      </div>
    </AsOfProvider>
  );
}
