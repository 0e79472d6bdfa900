import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from './app-context';
import { LanguageSwitch } from './components/LanguageSwitch';
import { AccountsScreen } from './screens/accounts/AccountsScreen';
import { ApiKeysScreen } from './screens/api-keys/ApiKeysScreen';
import { AuditScreen } from './screens/audit/AuditScreen';
import { BotsScreen } from './screens/bots/BotsScreen';
import { ChannelsScreen } from './screens/channels/ChannelsScreen';
import { EmulatorScreen } from './screens/emulator/EmulatorScreen';
import { HealthScreen } from './screens/health/HealthScreen';
import { SendScreen } from './screens/send/SendScreen';

const SCREENS = {
  accounts: AccountsScreen,
  bots: BotsScreen,
  channels: ChannelsScreen,
  send: SendScreen,
  audit: AuditScreen,
  health: HealthScreen,
  apiKeys: ApiKeysScreen,
  emulator: EmulatorScreen,
} as const;
type ScreenName = keyof typeof SCREENS;

function screenFromHash(): ScreenName {
  const name = location.hash.replace(/^#\/?/, '');
  return name in SCREENS ? (name as ScreenName) : 'accounts';
}

/** The signed-in layout: navigation (hash routes: nothing secret ever goes in the URL), the screen. */
export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { t } = useTranslation();
  const { dev, liveConnected } = useConsole();
  const [screen, setScreen] = useState(screenFromHash);
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onHash = () => setScreen(screenFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${t(`nav.${screen}`)} · ${t('app.brand')}`;
  }, [screen, t]);
  const names = (Object.keys(SCREENS) as ScreenName[]).filter((name) => name !== 'emulator' || dev?.emulator);
  const Screen = SCREENS[screen];
  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          heading.current?.focus();
        }}
      >
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.brand')}</span>
        <span className={`live ${liveConnected ? 'live-on' : 'live-off'}`} role="status">
          {liveConnected ? t('app.liveOn') : t('app.liveOff')}
        </span>
        <LanguageSwitch />
        <button type="button" onClick={onSignOut}>
          {t('app.signOut')}
        </button>
      </header>
      <nav aria-label={t('nav.label')} className="nav">
        <ul>
          {names.map((name) => (
            <li key={name}>
              <a href={`#/${name}`} aria-current={name === screen ? 'page' : undefined}>
                {t(`nav.${name}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content">
        <div ref={heading} tabIndex={-1} className="screen-anchor" />
        <Screen key={screen} />
      </main>
    </>
  );
}
