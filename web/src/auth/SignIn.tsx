import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { DevConsoleInfo, DevToken } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { looksLikeJwt } from './session';

export function SignIn({
  reason,
  dev,
  onToken,
}: {
  reason: string | undefined;
  dev: DevConsoleInfo | undefined;
  onToken: (token: string) => void;
}) {
  const { t } = useTranslation();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim().replace(/^Bearer\s+/i, '');
    if (!looksLikeJwt(value)) return setProblem(t('signIn.notAJwt'));
    setProblem(undefined);
    onToken(value);
  };

  const devSignIn = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.get<DevToken>('/api/v1/dev/token', { anonymous: true });
      onToken(answer.token);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>{t('app.title')}</h1>
      <section className="card">
        <h2>{t('signIn.title')}</h2>
        {reason && (
          <div className="notice notice-error" role="alert">
            <p>{t('signIn.signedOut', { reason })}</p>
          </div>
        )}
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="jwt">{t('signIn.tokenLabel')}</label>
            <textarea
              id="jwt"
              rows={4}
              value={token}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => setToken(event.target.value)}
              aria-invalid={problem ? true : undefined}
              aria-describedby="jwt-hint"
            />
            <small id="jwt-hint" className="muted">
              {t('signIn.tokenHint')}
            </small>
            {problem && (
              <small className="error-text" role="alert">
                {problem}
              </small>
            )}
          </div>
          <button type="submit" className="primary">
            {t('signIn.submit')}
          </button>
        </form>
        {dev?.token_route && (
          <div className="dev-box">
            <p>{t('signIn.devHint')}</p>
            <button type="button" onClick={() => void devSignIn()} disabled={busy}>
              {t('signIn.devButton')}
            </button>
            <ErrorNotice error={error} />
          </div>
        )}
      </section>
    </main>
  );
}
