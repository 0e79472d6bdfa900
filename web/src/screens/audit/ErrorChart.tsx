import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ErrorStats } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAsync } from '../../hooks/useAsync';
import './error-chart.css';

/** The chart covers at most this many days (one stats call per day). */
const MAX_DAYS = 14;

interface Day {
  label: string;
  success: number;
  error: number;
  /** Rows neither success nor error yet (a message queued): counted in the API's total_actions. */
  pending: number;
}

/**
 * Success, error and pending by day, from `GET /telegram/stats/errors?days_back=N` alone: the API
 * answers totals over the last N days, so day k (counted back from now) is stats(k) − stats(k−1).
 * Pending rows are in total_actions but in neither count, so they get their own bar segment and the
 * summary names them: the chart's bars add up to the summary's total.
 */
async function loadDays(days: number, language: string): Promise<{ days: Day[]; total: ErrorStats }> {
  const windows = await Promise.all(
    Array.from({ length: days }, (_, i) =>
      api.get<ErrorStats>('/api/v1/telegram/stats/errors', { query: { days_back: i + 1 } }),
    ),
  );
  const result: Day[] = windows.map((window, i) => {
    const before = windows[i - 1];
    const date = new Date(Date.now() - i * 86_400_000);
    const success = window.success_count - (before?.success_count ?? 0);
    const error = window.error_count - (before?.error_count ?? 0);
    const total = window.total_actions - (before?.total_actions ?? 0);
    return {
      label: date.toLocaleDateString(language, { day: '2-digit', month: '2-digit' }),
      success,
      error,
      pending: Math.max(0, total - success - error),
    };
  });
  return { days: result.reverse(), total: windows[windows.length - 1] };
}

export function ErrorChart({ daysBack }: { daysBack: number; integrationType: string }) {
  const { t, i18n } = useTranslation();
  const days = Math.min(Math.max(1, daysBack), MAX_DAYS);
  const stats = useAsync(() => loadDays(days, i18n.language), [days, i18n.language]);
  const data = stats.data;
  const peak = Math.max(1, ...(data?.days ?? []).map((d) => d.success + d.error + d.pending));
  const pending = data ? data.total.total_actions - data.total.success_count - data.total.error_count : 0;
  const barWidth = 100 / days;
  return (
    <section className="card" aria-labelledby="chart-title">
      <h2 id="chart-title">{t('audit.chartTitle', { days })}</h2>
      <ErrorNotice error={stats.error} />
      {data && (
        <>
          <p data-testid="error-rate">
            {t('audit.rate', {
              rate: (data.total.error_rate * 100).toFixed(1),
              errors: t('audit.errorCount', { count: data.total.error_count }),
              total: t('audit.ofActions', { count: data.total.total_actions }),
            })}
            {pending > 0 && ` ${t('audit.pendingNote', { count: pending })}`}
          </p>
          <svg
            className="chart"
            viewBox="0 0 100 50"
            preserveAspectRatio="none"
            role="img"
            aria-label={t('audit.chartLabel', { days })}
          >
            {data.days.map((day, i) => {
              const successHeight = (day.success / peak) * 46;
              const errorHeight = (day.error / peak) * 46;
              const pendingHeight = (day.pending / peak) * 46;
              const x = i * barWidth + barWidth * 0.15;
              return (
                <g key={i}>
                  <title>{t('audit.dayTooltip', { ...day })}</title>
                  <rect
                    className="bar-success"
                    x={x}
                    width={barWidth * 0.7}
                    y={50 - successHeight}
                    height={successHeight}
                  />
                  <rect
                    className="bar-error"
                    x={x}
                    width={barWidth * 0.7}
                    y={50 - successHeight - errorHeight}
                    height={errorHeight}
                  />
                  <rect
                    className="bar-pending"
                    x={x}
                    width={barWidth * 0.7}
                    y={50 - successHeight - errorHeight - pendingHeight}
                    height={pendingHeight}
                  />
                </g>
              );
            })}
          </svg>
          <div className="chart-axis" aria-hidden="true">
            {data.days.map((day, i) => (
              <span key={i}>{day.label}</span>
            ))}
          </div>
          <p className="legend">
            <span className="swatch swatch-success" aria-hidden="true" /> {t('audit.success')}
            <span className="swatch swatch-error" aria-hidden="true" /> {t('audit.errors')}
            <span className="swatch swatch-pending" aria-hidden="true" /> {t('audit.pending')}
          </p>
          <div className="sr-only">
            <table>
              <caption>{t('audit.chartLabel', { days })}</caption>
              <tbody>
                {data.days.map((day, i) => (
                  <tr key={i}>
                    <th scope="row">{day.label}</th>
                    <td>{t('audit.dayTooltip', { ...day })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
