import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Account, EmulatorRevoked } from '../../api/types';
import { useConsole } from '../../app-context';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ListCard } from '../../components/ListCard';
import { StatusBadge } from '../../components/StatusBadge';
import { useAsync } from '../../hooks/useAsync';
import { useRowActions } from '../../hooks/useRowActions';
import { ImportSession } from './ImportSession';
import { PhoneConnect } from './PhoneConnect';
import { QrConnect } from './QrConnect';

/** Logins in progress: their rows cannot be reconnected (finish or cancel the login). */
const PENDING = ['code_sent', 'qr_pending', '2fa_required'];

/**
 * What a row offers: an active session reconnects or disconnects; a revoked, failed or abandoned
 * one can only be removed (a reconnect would answer 409); a disconnected one offers nothing.
 */
function rowActions(account: Account): { reconnect: boolean; disconnect: boolean; remove: boolean } {
  const status = account.session_metadata.status ?? '';
  return {
    reconnect: account.is_active && !PENDING.includes(status),
    disconnect: account.is_active,
    remove: !account.is_active && status !== 'disconnected',
  };
}

export function AccountsScreen() {
  const { t } = useTranslation();
  const { dev, live, liveConnected } = useConsole();
  const [showInactive, setShowInactive] = useState(false);
  const accounts = useAsync(
    () => api.get<Account[]>('/api/v1/telegram/accounts', { query: { active_only: !showInactive } }),
    [showInactive],
    liveConnected ? undefined : 10_000,
  );
  const { reload } = accounts;
  useEffect(() => live.on('telegram.account.', () => reload()), [live, reload]);

  const { busy, error: actionError, run: act } = useRowActions({ onSettled: reload });
  const [revoked, setRevoked] = useState<string>();

  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">{t('accounts.title')}</h1>
      <div className="grid-2">
        <PhoneConnect onConnected={reload} />
        <QrConnect onConnected={reload} />
      </div>
      <ImportSession onImported={reload} />
      {revoked && (
        <p className="notice notice-ok" role="status" data-testid="revoke-result">
          {revoked}
        </p>
      )}
      <ListCard
        id="accounts-list-title"
        title={t('accounts.list')}
        showInactive={{ checked: showInactive, onChange: setShowInactive, label: t('accounts.showInactive') }}
        error={accounts.error ?? actionError}
        empty={t('accounts.empty')}
        columns={[
          t('accounts.phone'),
          t('accounts.name'),
          t('accounts.status'),
          t('accounts.dc'),
          t('common.actions'),
        ]}
        items={accounts.data}
        row={(account) => {
          const meta = account.session_metadata;
          const name = [meta.first_name, meta.last_name].filter(Boolean).join(' ');
          const offers = rowActions(account);
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
                {offers.reconnect && (
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
                )}
                {offers.remove && (
                  <ConfirmButton
                    label={t('accounts.remove')}
                    question={t('accounts.removeQuestion', { phone: account.phone ?? name })}
                    disabled={busy === account.id}
                    onConfirm={() =>
                      void act(account.id, () => api.delete(`/api/v1/telegram/accounts/${account.id}`))
                    }
                  />
                )}
                {offers.disconnect && (
                  <ConfirmButton
                    label={t('accounts.disconnect')}
                    question={t('accounts.disconnectQuestion', { phone: account.phone ?? name })}
                    disabled={busy === account.id}
                    onConfirm={() =>
                      void act(account.id, () => api.delete(`/api/v1/telegram/accounts/${account.id}`))
                    }
                  />
                )}
                {dev?.emulator && account.phone && account.is_active && (
                  <button
                    type="button"
                    className="dev"
                    disabled={busy === account.id}
                    onClick={() =>
                      void act(account.id, async () => {
                        setRevoked(undefined);
                        const answer = await api.post<EmulatorRevoked>(
                          '/api/v1/dev/telegram-emulator/revoke',
                          {
                            phone: account.phone,
                          },
                        );
                        setRevoked(
                          t('emulator.revokedSession', { count: answer.revoked, phone: account.phone }),
                        );
                      })
                    }
                  >
                    {t('emulator.revokeSession')}
                  </button>
                )}
              </td>
            </tr>
          );
        }}
      />
    </section>
  );
}
