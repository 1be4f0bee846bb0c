import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, post, request, setUnauthorizedHandler } from './api.ts';
import { takeBootSession } from './boot.ts';
import type { MessageKey } from './i18n/en.ts';
import { navigate } from './router.tsx';
import type { User } from './types.ts';

type State = { status: 'loading' } | { status: 'anonymous'; notice?: MessageKey } | { status: 'signed-in'; user: User };

type Session = {
  state: State;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
};

const Ctx = createContext<Session | null>(null);

/** Why the user is on the login page, from the 401's code: an expired session says so; no session says nothing. */
function noticeFor(code: string): MessageKey | undefined {
  if (code === 'AUTH_SESSION_EXPIRED') return 'error.AUTH_SESSION_EXPIRED';
  if (code === 'AUTH_INVALID_KEY') return 'error.AUTH_INVALID_KEY';
  return undefined;
}

function toLogin(notice?: MessageKey): State {
  if (location.pathname !== '/login') {
    const next = location.pathname + location.search;
    navigate(`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, true);
  }
  return notice ? { status: 'anonymous', notice } : { status: 'anonymous' };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });

  useEffect(() => {
    setUnauthorizedHandler((code) => setState(toLogin(noticeFor(code))));
    let live = true;
    takeBootSession()
      .then(async (res) => {
        const { user } = (await res.json()) as { user: User };
        if (live) setState({ status: 'signed-in', user });
      })
      .catch((e: unknown) => {
        if (live) setState(toLogin(e instanceof ApiError ? noticeFor(e.code) : undefined));
      });
    return () => {
      live = false;
    };
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const res = await request('POST', '/auth/login', { json: { email, password }, quiet401: true });
    const { user } = (await res.json()) as { user: User };
    setState({ status: 'signed-in', user });
    const next = new URLSearchParams(location.search).get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
  }, []);

  const logout = useCallback(async () => {
    try {
      await post('/auth/logout');
    } finally {
      setState({ status: 'anonymous' });
      navigate('/login', true);
    }
  }, []);

  const value = useMemo(() => ({ state, login, logout }), [state, login, logout]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function useUser(): User {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useUser without a session');
  return state.user;
}

/**
 * Whether the signed-in user has one of these roles: what the console offers to do (make an offer, block a card).
 * The API checks the role again on every call; this only keeps buttons away from those who would get a 403.
 */
export function useHasRole(...roles: readonly User['role'][]): boolean {
  const { state } = useSession();
  return state.status === 'signed-in' && roles.includes(state.user.role);
}
