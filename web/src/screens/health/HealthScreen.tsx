import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { DetailedHealth } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { useAsync } from '../../hooks/useAsync';

/** Refreshed every 10 s (the detailed health shares a per-IP bucket of 60 requests a minute). */
const REFRESH_MS = 10_000;

export function HealthScreen() {
  const { t, i18n } = useTranslation();
  const health = useAsync(
    () => api.get<DetailedHealth>('/api/v1/health/detailed', { anonymous: true }),
    [],
    REFRESH_MS,
  );
  const data = health.data;
  return (
    <section aria-labelledby="health-title">
      <h1 id="health-title">{t('health.title')}</h1>
      <section className="card">
        <ErrorNotice error={health.error} />
        {data && (
          <>
            <p>
              {t('health.overall')} <StatusBadge status={data.status} /> · {data.service} {data.version} ·{' '}
              {t('health.uptime', { seconds: Math.round(data.uptime_seconds) })}
            </p>
            <p className="muted small" aria-live="polite">
              {t('health.checkedAt', { time: new Date(data.timestamp).toLocaleTimeString(i18n.language) })}
            </p>
            <div className="table-wrap" tabIndex={0}>
              <table className="stack">
                <caption className="sr-only">{t('health.components')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('health.component')}</th>
                    <th scope="col">{t('health.type')}</th>
                    <th scope="col">{t('health.status')}</th>
                    <th scope="col">{t('health.latency')}</th>
                    <th scope="col">{t('health.critical')}</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(data.components).map(([name, component]) => (
                    <tr key={name}>
                      <th scope="row" data-label={t('health.component')}>
                        {name}
                      </th>
                      <td data-label={t('health.type')}>{component.type}</td>
                      <td data-label={t('health.status')}>
                        <StatusBadge status={component.status} />
                        {component.error && <div className="muted small">{component.error}</div>}
                      </td>
                      <td data-label={t('health.latency')}>{t('health.ms', { ms: component.latency_ms })}</td>
                      <td data-label={t('health.critical')}>
                        {component.critical ? t('common.yes') : t('common.no')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <button type="button" onClick={health.reload}>
          {t('health.refresh')}
        </button>
      </section>
    </section>
  );
}
