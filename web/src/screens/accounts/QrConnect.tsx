import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import type { LoginResponse } from '../../api/types';
import { useConsole } from '../../app-context';
import { ErrorNotice, retryUntilOf } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';

/** How often the QR login is asked for its progress when no WebSocket pushes it. */
const POLL_MS = 2000;
const FINAL_ERRORS = new Set(['login_expired', 'not_found', 'session_inactive']);

/**
 * QR login: the code refreshes itself (each poll answers the current one), and the panel moves on
 * when the code was scanned — on a `telegram.qr_login.*` event when the WebSocket is there, else
 * by polling `GET /qr-code/{session_id}`.
 */
export function QrConnect({ onConnected }: { onConnected: () => void }) {
  const { t } = useTranslation();
  const { dev, live } = useConsole();
  const [login, setLogin] = useState<LoginResponse>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [scanPhone, setScanPhone] = useState('+9996631234');
  const [scanError, setScanError] = useState<unknown>();
  const active = login && (login.status === 'pending' || login.status === '2fa_required');
  const sessionId = login?.session_id;
  const retryUntil = useMemo(() => retryUntilOf(error), [error]);
  const pollNow = useRef<() => void>(() => undefined);

  useEffect(() => {
    if (!sessionId || login?.status !== 'pending') return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One question at a time: a pushed event, the scan button and the timer may all ask at once,
    // and a late answer must not overwrite a newer one; a question asked meanwhile runs right after.
    let inFlight = false;
    let again = false;
    const poll = async (): Promise<void> => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        await step();
      } finally {
        inFlight = false;
      }
      if (again && !stopped) {
        again = false;
        void poll();
      }
    };
    const step = async () => {
      clearTimeout(timer);
      try {
        const answer = await api.get<LoginResponse>(`/api/v1/telegram/qr-code/${sessionId}`);
        if (stopped) return;
        setError(undefined);
        setLogin((previous) => ({ ...answer, qr_code: answer.qr_code ?? previous?.qr_code }));
        if (answer.status === 'success') onConnected();
        if (answer.status !== 'pending') return;
      } catch (failure) {
        if (stopped) return;
        setError(failure);
        if (failure instanceof ApiError && FINAL_ERRORS.has(failure.code)) {
          setLogin(undefined);
          return;
        }
      }
      schedule();
    };
    // Polling is the fallback only: while live updates are on, the service follows the QR login for
    // this socket and pushes renewed / scanned / succeeded events, and each event asks at once.
    const schedule = () => {
      clearTimeout(timer);
      if (!live.connected) timer = setTimeout(() => void poll(), POLL_MS);
    };
    pollNow.current = () => void poll();
    schedule();
    const off = live.on('telegram.qr_login.', (event) => {
      if (!event.data.session_id || event.data.session_id === sessionId) void poll();
    });
    // Live updates lost: poll again; back on: ask once (events may have been missed), then wait for events.
    const offState = live.onState((connected) => (connected ? void poll() : schedule()));
    return () => {
      stopped = true;
      clearTimeout(timer);
      off();
      offState();
    };
  }, [sessionId, login?.status, live, onConnected]);

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setLogin(await api.get<LoginResponse>('/api/v1/telegram/qr-code'));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const scan = async () => {
    if (!sessionId) return;
    setScanError(undefined);
    try {
      await api.post('/api/v1/dev/telegram-emulator/qr/scan', { session_id: sessionId, phone: scanPhone });
      pollNow.current();
    } catch (failure) {
      setScanError(failure);
    }
  };

  const finish2fa = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.post<LoginResponse>('/api/v1/telegram/connect', {
        phone,
        password,
        session_id: sessionId,
      });
      setLogin(answer);
      if (answer.status === 'success') onConnected();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="qr-title">
      <h2 id="qr-title">{t('accounts.byQr')}</h2>
      {!active && (
        <button type="button" className="primary" onClick={() => void start()} disabled={busy}>
          {login?.status === 'success' ? t('accounts.qrAgain') : t('accounts.qrStart')}
        </button>
      )}
      {login?.status === 'success' && (
        <p className="notice notice-ok" role="status">
          {t('accounts.qrConnected')}
        </p>
      )}
      {login?.status === 'pending' && login.qr_code && (
        <div className="qr">
          <img
            src={`data:image/png;base64,${login.qr_code}`}
            alt={t('accounts.qrAlt')}
            width={220}
            height={220}
          />
          <p className="muted" aria-live="polite">
            {t('accounts.qrHint')}
          </p>
          <button type="button" onClick={() => setLogin(undefined)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {login?.status === '2fa_required' && (
        <form onSubmit={(event) => void finish2fa(event)} noValidate>
          <p aria-live="polite">{t('accounts.qrPasswordNeeded')}</p>
          <Field
            label={t('accounts.phone')}
            type="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
          />
          <Field
            label={t('accounts.password')}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {t('accounts.checkPassword')}
          </button>
        </form>
      )}
      <ErrorNotice error={error} retryUntil={retryUntil} />
      {dev?.emulator && login?.status === 'pending' && (
        <div className="dev-box">
          <Field
            label={t('emulator.scanAs')}
            type="tel"
            value={scanPhone}
            onChange={(event) => setScanPhone(event.target.value)}
          />
          <button type="button" className="dev" onClick={() => void scan()}>
            {t('emulator.scanButton')}
          </button>
          <ErrorNotice error={scanError} />
        </div>
      )}
    </section>
  );
}
