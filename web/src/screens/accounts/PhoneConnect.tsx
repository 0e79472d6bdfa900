import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { LoginResponse } from '../../api/types';
import { ErrorNotice, retryUntilOf } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useCountdown } from '../../hooks/useCountdown';

type Step = 'phone' | 'code' | 'password' | 'done';

/** Phone-code login: phone → code → (2FA password) → connected, with the API's errors and waits. */
export function PhoneConnect({ onConnected }: { onConnected: () => void }) {
  const { t } = useTranslation();
  const [step, setStep] = useState<Step>('phone');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [login, setLogin] = useState<LoginResponse>();
  const [error, setError] = useState<unknown>();
  const [waitUntil, setWaitUntil] = useState<number>();
  const [busy, setBusy] = useState(false);
  const waiting = useCountdown(waitUntil);
  const resendAt = login?.resend_after ? Date.parse(login.resend_after) : undefined;
  const resendLeft = useCountdown(resendAt);

  const send = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.post<LoginResponse>('/api/v1/telegram/connect', body);
      setLogin(answer);
      setWaitUntil(undefined);
      if (answer.status === 'code_required') setStep('code');
      else if (answer.status === '2fa_required') setStep('password');
      else if (answer.status === 'success') {
        setStep('done');
        setCode('');
        setPassword('');
        onConnected();
      }
    } catch (failure) {
      setError(failure);
      setWaitUntil(retryUntilOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const session = login?.session_id ? { session_id: login.session_id } : {};
    if (step === 'phone') void send({ phone });
    else if (step === 'code') void send({ phone, code, ...session });
    else if (step === 'password') void send({ phone, password, ...session });
  };

  const restart = () => {
    setStep('phone');
    setLogin(undefined);
    setError(undefined);
    setCode('');
    setPassword('');
  };

  return (
    <section className="card" aria-labelledby="phone-title">
      <h2 id="phone-title">{t('accounts.byPhone')}</h2>
      <form onSubmit={submit} noValidate>
        <Field
          label={t('accounts.phone')}
          type="tel"
          autoComplete="off"
          placeholder="+9996621234"
          value={phone}
          disabled={step !== 'phone' && step !== 'done'}
          onChange={(event) => {
            setPhone(event.target.value);
            if (step === 'done') setStep('phone');
          }}
        />
        {step === 'code' && (
          <>
            <p className="muted" aria-live="polite">
              {t('accounts.codeSent', { type: login?.code_type ?? '—' })}
            </p>
            <Field
              label={t('accounts.code')}
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          </>
        )}
        {step === 'password' && (
          <>
            <p className="muted" aria-live="polite">
              {t('accounts.passwordNeeded')}
            </p>
            <Field
              label={t('accounts.password')}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </>
        )}
        {step === 'done' && (
          <p className="notice notice-ok" role="status">
            {t('accounts.connected')}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={busy || waiting > 0}>
            {step === 'phone' || step === 'done'
              ? t('accounts.sendCode')
              : step === 'code'
                ? t('accounts.signIn')
                : t('accounts.checkPassword')}
          </button>
          {step === 'code' && login?.next_code_type && (
            <button
              type="button"
              disabled={busy || resendLeft > 0}
              onClick={() => void send({ phone, resend: true, session_id: login.session_id })}
            >
              {resendLeft > 0 ? t('accounts.resendIn', { seconds: resendLeft }) : t('accounts.resend')}
            </button>
          )}
          {(step === 'code' || step === 'password') && (
            <button type="button" onClick={restart}>
              {t('common.startOver')}
            </button>
          )}
        </div>
        <ErrorNotice error={error} retryUntil={waitUntil} />
      </form>
    </section>
  );
}
