import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, request } from '../../api/client';
import { accountName, botName } from '../../api/names';
import type { Account, Bot, Channel, EmulatorFloodArmed, Page, SendAccepted } from '../../api/types';
import { useConsole } from '../../app-context';
import { ErrorNotice, retryUntilOf } from '../../components/ErrorNotice';
import { useAsync } from '../../hooks/useAsync';
import { MessageStatusView } from './MessageStatusView';

/** Telegram's limits: 4,096 characters of text, 1,024 of a media caption (after entity parsing). */
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

/** Sending (issue 11: `POST /api/v1/telegram/send`, 202 + a message id followed live). */
export function SendScreen() {
  const { t } = useTranslation();
  const { dev } = useConsole();
  const [sender, setSender] = useState('');
  const [target, setTarget] = useState('');
  const [text, setText] = useState('');
  const [parseMode, setParseMode] = useState('');
  const [file, setFile] = useState<File>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<SendAccepted[]>([]);
  const [floodSeconds, setFloodSeconds] = useState(5);
  const [floodError, setFloodError] = useState<unknown>();
  const [floodArmed, setFloodArmed] = useState<string>();
  const accounts = useAsync(() => api.get<Account[]>('/api/v1/telegram/accounts'), []);
  const bots = useAsync(() => api.get<Bot[]>('/api/v1/telegram/bots'), []);
  const channels = useAsync(
    () => api.get<Page<Channel>>('/api/v1/telegram/channels', { query: { size: 100 } }),
    [],
  );
  const senders = useMemo(
    () => [
      ...(accounts.data ?? [])
        .filter((a) => a.session_metadata.status === 'connected')
        .map((a) => ({
          key: `account:${a.id}`,
          id: a.id,
          type: 'account' as const,
          label: accountName(a) ?? t('accounts.qrAccount'),
          phone: a.phone,
        })),
      ...(bots.data ?? [])
        .filter((b) => b.is_active)
        .map((b) => ({
          key: `bot:${b.id}`,
          id: b.id,
          type: 'bot' as const,
          label: botName(b),
          phone: null,
        })),
    ],
    [accounts.data, bots.data, t],
  );
  const chosen = senders.find((s) => s.key === sender) ?? senders[0];
  const targets = (channels.data?.items ?? []).filter((c) =>
    c.senders.some((s) => s.can_post && s.is_active && s.type === chosen?.type && s.id === chosen?.id),
  );
  const chosenTarget = targets.find((c) => c.id === target) ?? targets[0];
  const limit = file ? CAPTION_LIMIT : TEXT_LIMIT;
  const tooLong = text.length > limit;
  const retryUntil = useMemo(() => retryUntilOf(error), [error]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || !chosenTarget || tooLong) return;
    setBusy(true);
    setError(undefined);
    const fields: Record<string, string> = {
      [chosen.type === 'account' ? 'session_id' : 'bot_id']: chosen.id,
      channel_id: chosenTarget.id,
      text,
      ...(parseMode ? { parse_mode: parseMode } : {}),
    };
    const headers = { 'idempotency-key': crypto.randomUUID() };
    try {
      let answer: SendAccepted;
      if (file) {
        const form = new FormData();
        for (const [key, value] of Object.entries(fields)) form.set(key, value);
        form.set('file', file);
        answer = await request<SendAccepted>('POST', '/api/v1/telegram/send', { form, headers });
      } else answer = await api.post<SendAccepted>('/api/v1/telegram/send', fields, { headers });
      setSent((list) => [answer, ...list]);
      setText('');
      setFile(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const flood = async () => {
    if (!chosen) return;
    setFloodError(undefined);
    setFloodArmed(undefined);
    try {
      const who = chosen.type === 'account' ? { phone: chosen.phone } : { bot_id: chosen.id };
      const answer = await api.post<EmulatorFloodArmed>('/api/v1/dev/telegram-emulator/flood', {
        ...who,
        seconds: floodSeconds,
      });
      setFloodArmed(answer.armed);
    } catch (failure) {
      setFloodError(failure);
    }
  };

  return (
    <section aria-labelledby="send-title">
      <h1 id="send-title">{t('send.title')}</h1>
      <section className="card">
        {senders.length === 0 && <p>{t('send.noSender')}</p>}
        <form onSubmit={(event) => void submit(event)} noValidate>
          <div className="row">
            <div className="field">
              <label htmlFor="send-sender">{t('send.sender')}</label>
              <select id="send-sender" value={chosen?.key ?? ''} onChange={(e) => setSender(e.target.value)}>
                {senders.map((s) => (
                  <option key={s.key} value={s.key}>
                    {t(`channels.senderTypes.${s.type}`)} {s.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="send-target">{t('send.target')}</label>
              <select
                id="send-target"
                value={chosenTarget?.id ?? ''}
                onChange={(e) => setTarget(e.target.value)}
              >
                {targets.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.title}
                  </option>
                ))}
              </select>
              {chosen && targets.length === 0 && <small className="muted">{t('send.noTarget')}</small>}
            </div>
            <div className="field">
              <label htmlFor="send-parse">{t('send.parseMode')}</label>
              <select id="send-parse" value={parseMode} onChange={(e) => setParseMode(e.target.value)}>
                <option value="">{t('send.plain')}</option>
                <option value="markdown">Markdown</option>
                <option value="html">HTML</option>
              </select>
            </div>
          </div>
          <div className="field">
            <label htmlFor="send-text">{t('send.text')}</label>
            <textarea
              id="send-text"
              rows={5}
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={tooLong ? true : undefined}
              aria-describedby="send-length"
            />
            <small id="send-length" className={tooLong ? 'error-text' : 'muted'} aria-live="polite">
              {t('send.length', { length: text.length, limit, count: limit })}
            </small>
          </div>
          <div className="field">
            <label htmlFor="send-file">{t('send.file')}</label>
            <input id="send-file" type="file" onChange={(e) => setFile(e.target.files?.[0])} />
          </div>
          <button
            type="submit"
            className="primary"
            disabled={busy || !chosen || !chosenTarget || tooLong || !text}
          >
            {t('send.submit')}
          </button>
        </form>
        <ErrorNotice error={error} retryUntil={retryUntil} />
        {dev?.emulator && chosen && (
          <div className="dev-box row">
            <div className="field">
              <label htmlFor="flood-seconds">{t('emulator.floodSeconds')}</label>
              <input
                id="flood-seconds"
                type="number"
                min={1}
                max={600}
                value={floodSeconds}
                onChange={(e) => setFloodSeconds(Number(e.target.value) || 1)}
              />
            </div>
            <button type="button" className="dev" onClick={() => void flood()}>
              {t('emulator.floodButton')}
            </button>
            <p role="status" className="muted small">
              {floodArmed && t('emulator.floodArmed', { armed: floodArmed, sender: chosen.label })}
            </p>
            <ErrorNotice error={floodError} />
          </div>
        )}
      </section>
      {sent.length > 0 && (
        <section className="card" aria-labelledby="sent-title">
          <h2 id="sent-title">{t('send.sentList')}</h2>
          <ul className="plain">
            {sent.map((message) => (
              <MessageStatusView key={message.message_id} id={message.message_id} initial={message.status} />
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
