import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, onApiUnauthorized, setApiToken } from './api/client';
import type { DevConsoleInfo } from './api/types';
import { AppContext } from './app-context';
import { SignIn } from './auth/SignIn';
import { storedToken, storeToken, tokenExpiry } from './auth/session';
import { LanguageSwitch } from './components/LanguageSwitch';
import { LiveEvents } from './live/events';
import { Shell } from './Shell';

export function App() {
  const { t } = useTranslation();
  const [token, setToken] = useState<string | null>(() => {
    const saved = storedToken();
    setApiToken(saved);
    return saved;
  });
  const [reason, setReason] = useState<string>();
  const [dev, setDev] = useState<DevConsoleInfo>();

  const signOut = useCallback((why?: string) => {
    storeToken(null);
    setApiToken(null);
    setToken(null);
    setReason(why);
  }, []);

  useEffect(() => onApiUnauthorized((why) => signOut(why)), [signOut]);

  // Development helpers exist only where the service mounts /api/v1/dev/console (never in production).
  useEffect(() => {
    api.get<DevConsoleInfo>('/api/v1/dev/console', { anonymous: true }).then(setDev, () => setDev(undefined));
  }, []);

  // An expired token signs out by itself, with the reason.
  useEffect(() => {
    if (!token) return;
    const exp = tokenExpiry(token);
    if (!exp) return;
    const timer = setTimeout(() => signOut(t('signIn.expired')), Math.max(0, exp * 1000 - Date.now()));
    return () => clearTimeout(timer);
  }, [token, signOut, t]);

  const acceptToken = (value: string) => {
    storeToken(value);
    setApiToken(value);
    setReason(undefined);
    setToken(value);
  };

  if (!token)
    return (
      <>
        <header className="topbar">
          <span className="brand">{t('app.brand')}</span>
          <LanguageSwitch />
        </header>
        <SignIn reason={reason} dev={dev} onToken={acceptToken} />
      </>
    );
  return <SignedIn token={token} dev={dev} onSignOut={() => signOut()} />;
}

function SignedIn({
  token,
  dev,
  onSignOut,
}: {
  token: string;
  dev: DevConsoleInfo | undefined;
  onSignOut: () => void;
}) {
  const live = useMemo(() => new LiveEvents(token), [token]);
  const [liveConnected, setLiveConnected] = useState(false);
  useEffect(() => {
    const off = live.onState(setLiveConnected);
    void live.start();
    return () => {
      off();
      live.stop();
    };
  }, [live]);
  return (
    <AppContext.Provider value={{ dev, live, liveConnected }}>
      <Shell onSignOut={onSignOut} />
    </AppContext.Provider>
  );
}
