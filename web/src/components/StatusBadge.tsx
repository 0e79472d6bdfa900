import { useTranslation } from 'react-i18next';

const TONE: Record<string, string> = {
  connected: 'ok',
  active: 'ok',
  up: 'ok',
  healthy: 'ok',
  success: 'ok',
  sent: 'ok',
  code_sent: 'wait',
  qr_pending: 'wait',
  '2fa_required': 'wait',
  pending: 'wait',
  queued: 'wait',
  waiting: 'wait',
  sending: 'wait',
  degraded: 'wait',
  not_configured: 'off',
  disconnected: 'off',
  removed: 'off',
  cancelled: 'off',
  revoked: 'bad',
  error: 'bad',
  failed: 'bad',
  down: 'bad',
  unhealthy: 'bad',
};

export function StatusBadge({ status }: { status: string | undefined }) {
  const { t } = useTranslation();
  const value = status ?? 'unknown';
  return (
    <span className={`badge badge-${TONE[value] ?? 'off'}`}>
      {t(`status.${value}`, { defaultValue: value })}
    </span>
  );
}
