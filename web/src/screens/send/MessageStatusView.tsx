import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Message, MessageStatus } from '../../api/types';
import { useConsole } from '../../app-context';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { useCountdown } from '../../hooks/useCountdown';

const FINAL: MessageStatus[] = ['sent', 'failed', 'cancelled'];
const POLL_MS = 1500;

/** One message's status, followed live: `telegram.message.*` events, or polling without a socket. */
export function MessageStatusView({ id, initial }: { id: string; initial: MessageStatus }) {
  const { t } = useTranslation();
  const { live, liveConnected } = useConsole();
  const [message, setMessage] = useState<Message>({ id, status: initial });
  const [error, setError] = useState<unknown>();
  const final = FINAL.includes(message.status);
  const waitUntil = message.next_attempt_at ? Date.parse(message.next_attempt_at) : undefined;
  const waiting = useCountdown(message.status === 'waiting' ? waitUntil : undefined);

  useEffect(() => {
    if (final) return;
    let stopped = false;
    const read = () =>
      api.get<Message>(`/api/v1/telegram/messages/${id}`).then(
        (answer) => !stopped && setMessage(answer),
        (failure: unknown) => !stopped && setError(failure),
      );
    const off = live.on('telegram.message.', (event) => {
      if (event.data.message_id === id || event.data.id === id) void read();
    });
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
      {message.status === 'waiting' && waiting > 0 && t('send.waiting', { seconds: waiting })}
      {message.status === 'failed' && message.error && t('send.failedReason', { reason: message.error })}
      {message.status === 'sent' &&
        message.telegram_message_id &&
        t('send.sentAs', { id: message.telegram_message_id })}
      <span className="muted small"> {id}</span>
      <ErrorNotice error={error} />
    </li>
  );
}
