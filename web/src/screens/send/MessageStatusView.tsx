import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Message, MessageEventData, MessageStatus } from '../../api/types';
import { useConsole } from '../../app-context';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { useCountdown } from '../../hooks/useCountdown';

const FINAL: MessageStatus[] = ['sent', 'failed', 'cancelled'];
const POLL_MS = 1500;

/** What the screen knows of a message: the API's answer, or just an event's status so far. */
type Known = Pick<Message, 'id' | 'status'> & Partial<Omit<Message, 'id' | 'status'>>;

/**
 * One message's status, followed live: each `telegram.message.*` event of this message moves the
 * status at once (a `waiting` event carries `not_before`, the end of the wait) and the message is
 * read again for the rest (the Telegram message id, the error). Without a socket it is polled.
 */
export function MessageStatusView({ id, initial }: { id: string; initial: MessageStatus }) {
  const { t } = useTranslation();
  const { live, liveConnected } = useConsole();
  const [message, setMessage] = useState<Known>({ id, status: initial });
  const [error, setError] = useState<unknown>();
  const final = FINAL.includes(message.status);
  const waitUntil = message.next_attempt_at ? Date.parse(message.next_attempt_at) : undefined;
  const waiting = useCountdown(message.status === 'waiting' ? waitUntil : undefined);

  useEffect(() => {
    if (final) return;
    let stopped = false;
    // Only the latest read counts: an older answer arriving late must not move the status back.
    let latest = 0;
    const read = () => {
      const mine = ++latest;
      return api.get<Message>(`/api/v1/telegram/messages/${id}`).then(
        (answer) => !stopped && mine === latest && setMessage(answer),
        (failure: unknown) => !stopped && mine === latest && setError(failure),
      );
    };
    const off = live.on('telegram.message.', (event) => {
      const data = event.data as unknown as MessageEventData;
      if (data.message_id !== id) return;
      // A final status comes with the read (its Telegram id or error), which this effect still takes.
      if (!FINAL.includes(data.status))
        setMessage((known) => ({
          ...known,
          status: data.status,
          next_attempt_at: data.not_before ?? (data.status === 'waiting' ? known.next_attempt_at : null),
        }));
      void read();
    });
    // Events sent before this listener existed (a fast queue) are not missed: read once now.
    void read();
    const timer = liveConnected ? undefined : setInterval(() => void read(), POLL_MS);
    return () => {
      stopped = true;
      off();
      clearInterval(timer);
    };
  }, [id, final, live, liveConnected]);

  return (
    <li data-testid={`message-${id}`}>
      <StatusBadge status={message.status} />{' '}
      {message.status === 'waiting' && waiting > 0 && (
        <span className="countdown">{t('send.waiting', { seconds: waiting })}</span>
      )}
      {message.status === 'failed' && message.error && (
        <span>{t('send.failedReason', { reason: message.error.message, code: message.error.code })}</span>
      )}
      {message.status === 'sent' && message.telegram_message_id && (
        <span>{t('send.sentAs', { id: message.telegram_message_id })}</span>
      )}
      <span className="muted small"> {id}</span>
      <ErrorNotice error={error} />
    </li>
  );
}
