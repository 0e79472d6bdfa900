import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Account } from '../../api/types';
import { useConsole } from '../../app-context';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { useAsync } from '../../hooks/useAsync';
import { PhoneConnect } from './PhoneConnect';
import { QrConnect } from './QrConnect';

export function AccountsScreen() {
  const { t } = useTranslation();
  const { dev, live, liveConnected } = useConsole();
  const [showInactive, setShowInactive] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const accounts = useAsync(
    () => api.get<Account[]>('/api/v1/telegram/accounts', { query: { active_only: !showInactive } }),
    [showInactive],
    liveConnected ? undefined : 10_000,
  );
  const { reload } = accounts;
  useEffect(() => live.on('telegram.account.', () => reload()), [live, reload]);

  const act = async (id: string, action: () => Promise<unknown>) => {
    setBusy(id);
    setActionError(undefined);
    try {
      await action();
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(undefined);
      reload();
    }
  };

  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">{t('accounts.title')}</h1>
      <div className="grid-2">
        <PhoneConnect onConnected={reload} />
        <QrConnect onConnected={reload} />
      </div>
      <section className="card" aria-labelledby="accounts-list-title">
        <div className="card-head">
          <h2 id="accounts-list-title">{t('accounts.list')}</h2>
          <label className="inline">
            <input
              type="checkbox"
              checked={showInactive}
              onChange={(event) => setShowInactive(event.target.checked)}
            />
            {t('accounts.showInactive')}
          </label>
        </div>
        <ErrorNotice error={accounts.error ?? actionError} />
        {accounts.data && accounts.data.length === 0 && <p>{t('accounts.empty')}</p>}
        {accounts.data && accounts.data.length > 0 && (
          <div className="table-wrap" tabIndex={0}>
            <table className="stack">
              <caption className="sr-only">{t('accounts.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('accounts.phone')}</th>
                  <th scope="col">{t('accounts.name')}</th>
                  <th scope="col">{t('accounts.status')}</th>
                  <th scope="col">{t('accounts.dc')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {accounts.data.map((account) => {
                  const meta = account.session_metadata;
                  const name = [meta.first_name, meta.last_name].filter(Boolean).join(' ');
                  return (
                    <tr key={account.id} data-testid={`account-${account.phone ?? account.id}`}>
                      <td data-label={t('accounts.phone')}>{account.phone ?? t('accounts.qrAccount')}</td>
                      <td data-label={t('accounts.name')}>
                        {name || '—'}
                        {meta.username ? <span className="muted"> @{meta.username}</span> : null}
                      </td>
                      <td data-label={t('accounts.status')}>
                        <StatusBadge status={meta.status} />
                        {meta.last_error && <div className="muted small">{meta.last_error}</div>}
                      </td>
                      <td data-label={t('accounts.dc')}>{meta.dc_id ?? '—'}</td>
                      <td data-label={t('common.actions')} className="actions">
                        <button
                          type="button"
                          disabled={busy === account.id}
                          onClick={() =>
                            void act(account.id, () =>
                              api.post(`/api/v1/telegram/accounts/${account.id}/reconnect`),
                            )
                          }
                        >
                          {t('accounts.reconnect')}
                        </button>
                        {account.is_active && (
                          <ConfirmButton
                            label={t('accounts.disconnect')}
                            question={t('accounts.disconnectQuestion', { phone: account.phone ?? name })}
                            disabled={busy === account.id}
                            onConfirm={() =>
                              void act(account.id, () =>
                                api.delete(`/api/v1/telegram/accounts/${account.id}`),
                              )
                            }
                          />
                        )}
                        {dev?.emulator && account.phone && account.is_active && (
                          <button
                            type="button"
                            className="dev"
                            disabled={busy === account.id}
                            onClick={() =>
                              void act(account.id, () =>
                                api.post('/api/v1/dev/telegram-emulator/revoke', { phone: account.phone }),
                              )
                            }
                          >
                            {t('emulator.revokeSession')}
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
