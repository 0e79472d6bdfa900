import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { LogsPage } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Pager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { useAsync } from '../../hooks/useAsync';
import { ErrorChart } from './ErrorChart';

interface Filters {
  integration_type: string;
  log_status: string;
  days_back: number;
  size: number;
}

const DEFAULTS: Filters = { integration_type: 'telegram', log_status: '', days_back: 30, size: 20 };

/** The audit log: filters, page/size paging, or the keyset cursor ("load more"); the error chart. */
export function AuditScreen() {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState<Filters>(DEFAULTS);
  const [filters, setFilters] = useState<Filters>(DEFAULTS);
  const [page, setPage] = useState(1);
  const [cursorMode, setCursorMode] = useState(false);
  const [extra, setExtra] = useState<LogsPage['items']>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>();
  const logs = useAsync(
    () =>
      api
        .get<LogsPage>('/api/v1/telegram/logs', { query: { ...filters, page: cursorMode ? 1 : page } })
        .then((answer) => {
          setExtra([]);
          setCursor(answer.next_cursor);
          return answer;
        }),
    [filters, page, cursorMode],
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setPage(1);
    setFilters({ ...draft });
  };

  const loadMore = async () => {
    if (!cursor) return;
    setMoreError(undefined);
    try {
      const answer = await api.get<LogsPage>('/api/v1/telegram/logs', { query: { ...filters, cursor } });
      setExtra((rows) => [...rows, ...answer.items]);
      setCursor(answer.next_cursor);
    } catch (failure) {
      setMoreError(failure);
    }
  };

  const rows = [...(logs.data?.items ?? []), ...extra];
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit.title')}</h1>
      <ErrorChart daysBack={filters.days_back} integrationType={filters.integration_type} />
      <section className="card" aria-labelledby="audit-list-title">
        <h2 id="audit-list-title">{t('audit.list')}</h2>
        <form className="row filters" onSubmit={apply}>
          <div className="field">
            <label htmlFor="audit-type">{t('audit.integrationType')}</label>
            <input
              id="audit-type"
              value={draft.integration_type}
              onChange={(e) => setDraft({ ...draft, integration_type: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-status">{t('audit.status')}</label>
            <select
              id="audit-status"
              value={draft.log_status}
              onChange={(e) => setDraft({ ...draft, log_status: e.target.value })}
            >
              <option value="">{t('audit.anyStatus')}</option>
              {['success', 'error', 'pending'].map((status) => (
                <option key={status} value={status}>
                  {t(`status.${status}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-days">{t('audit.daysBack')}</label>
            <input
              id="audit-days"
              type="number"
              min={1}
              max={365}
              value={draft.days_back}
              onChange={(e) => setDraft({ ...draft, days_back: Number(e.target.value) || 1 })}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-size">{t('audit.pageSize')}</label>
            <select
              id="audit-size"
              value={draft.size}
              onChange={(e) => setDraft({ ...draft, size: Number(e.target.value) })}
            >
              {[5, 20, 50, 100].map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t('audit.apply')}</button>
        </form>
        <label className="inline">
          <input
            type="checkbox"
            checked={cursorMode}
            onChange={(e) => {
              setCursor(null);
              setCursorMode(e.target.checked);
            }}
          />
          {t('audit.cursorMode')}
        </label>
        <ErrorNotice error={logs.error ?? moreError} />
        {logs.data && (
          <p className="muted" aria-live="polite" data-testid="audit-total">
            {t('audit.total', { count: logs.data.total })}
          </p>
        )}
        {rows.length > 0 && (
          <div className="table-wrap" tabIndex={0}>
            <table className="stack">
              <caption className="sr-only">{t('audit.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.status')}</th>
                  <th scope="col">{t('audit.error')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id} data-testid="audit-row">
                    <td data-label={t('audit.time')}>
                      {new Date(row.created_at).toLocaleString(i18n.language)}
                    </td>
                    <td data-label={t('audit.action')}>
                      <code>{row.action}</code>
                    </td>
                    <td data-label={t('audit.status')}>
                      <StatusBadge status={row.status} />
                    </td>
                    <td data-label={t('audit.error')}>{row.error_message ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {logs.data && !cursorMode && <Pager page={page} pages={logs.data.pages} onPage={setPage} />}
        {cursorMode && cursor && (
          <button type="button" onClick={() => void loadMore()}>
            {t('audit.loadMore')}
          </button>
        )}
      </section>
    </section>
  );
}
