import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Bot } from '../../api/types';
import { useConsole } from '../../app-context';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice, retryUntilOf } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { JsonEditor } from '../../components/JsonEditor';
import { ListCard } from '../../components/ListCard';
import { StatusBadge } from '../../components/StatusBadge';
import { useAsync } from '../../hooks/useAsync';
import { useRowActions } from '../../hooks/useRowActions';

export function BotsScreen() {
  const { t, i18n } = useTranslation();
  const { dev } = useConsole();
  const [token, setToken] = useState('');
  const [addError, setAddError] = useState<unknown>();
  const [added, setAdded] = useState<Bot>();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string>();
  const [showInactive, setShowInactive] = useState(false);
  const bots = useAsync(
    () => api.get<Bot[]>('/api/v1/telegram/bots', { query: { active_only: !showInactive } }),
    [showInactive],
  );
  const retryUntil = useMemo(() => retryUntilOf(addError), [addError]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setAdding(true);
    setAddError(undefined);
    setAdded(undefined);
    try {
      setAdded(await api.post<Bot>('/api/v1/telegram/bots', { bot_token: token.trim() }));
      // The token is never shown again, not even in the form.
      setToken('');
      bots.reload();
    } catch (failure) {
      setAddError(failure);
    } finally {
      setAdding(false);
    }
  };

  const {
    busy,
    error: actionError,
    run: act,
  } = useRowActions({ onSuccess: () => setEditing(undefined), onSettled: bots.reload });

  return (
    <section aria-labelledby="bots-title">
      <h1 id="bots-title">{t('bots.title')}</h1>
      <section className="card" aria-labelledby="bots-add-title">
        <h2 id="bots-add-title">{t('bots.add')}</h2>
        <form onSubmit={(event) => void add(event)} noValidate>
          <Field
            label={t('bots.token')}
            type="password"
            autoComplete="off"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            hint={t('bots.tokenHint')}
          />
          <button type="submit" className="primary" disabled={adding || !token.trim()}>
            {t('bots.addButton')}
          </button>
        </form>
        {added && (
          <p className="notice notice-ok" role="status">
            {t('bots.added', { username: added.username })}
          </p>
        )}
        <ErrorNotice error={addError} retryUntil={retryUntil} />
      </section>
      <ListCard
        id="bots-list-title"
        title={t('bots.list')}
        showInactive={{ checked: showInactive, onChange: setShowInactive, label: t('bots.showInactive') }}
        error={bots.error ?? actionError}
        empty={t('bots.empty')}
        columns={[
          t('bots.username'),
          t('bots.status'),
          t('bots.groups'),
          t('bots.lastChecked'),
          t('common.actions'),
        ]}
        items={bots.data}
        row={(bot) => (
          <tr key={bot.id} data-testid={`bot-${bot.username}`}>
            <td data-label={t('bots.username')}>
              @{bot.username}
              <div className="muted small">{bot.first_name}</div>
            </td>
            <td data-label={t('bots.status')}>
              <StatusBadge status={bot.status} />
              {bot.last_error && <div className="muted small">{bot.last_error}</div>}
            </td>
            <td data-label={t('bots.groups')}>{bot.can_join_groups ? t('common.yes') : t('common.no')}</td>
            <td data-label={t('bots.lastChecked')}>
              {bot.last_checked_at ? new Date(bot.last_checked_at).toLocaleString(i18n.language) : '—'}
            </td>
            <td data-label={t('common.actions')} className="actions">
              {bot.is_active && (
                <>
                  <button
                    type="button"
                    disabled={busy === bot.id}
                    onClick={() => void act(bot.id, () => api.post(`/api/v1/telegram/bots/${bot.id}/check`))}
                  >
                    {t('bots.check')}
                  </button>
                  <button
                    type="button"
                    aria-expanded={editing === bot.id}
                    onClick={() => setEditing(editing === bot.id ? undefined : bot.id)}
                  >
                    {t('common.settings')}
                  </button>
                  <ConfirmButton
                    label={t('bots.remove')}
                    question={t('bots.removeQuestion', { username: bot.username })}
                    onConfirm={() => void act(bot.id, () => api.delete(`/api/v1/telegram/bots/${bot.id}`))}
                  />
                  {dev?.emulator && (
                    <button
                      type="button"
                      className="dev"
                      onClick={() =>
                        void act(bot.id, () =>
                          api.post('/api/v1/dev/telegram-emulator/bots/revoke', { bot_id: bot.id }),
                        )
                      }
                    >
                      {t('emulator.revokeBot')}
                    </button>
                  )}
                </>
              )}
              {editing === bot.id && (
                <JsonEditor
                  label={t('bots.settingsOf', { username: bot.username })}
                  value={bot.settings}
                  busy={busy === bot.id}
                  onSave={(settings) =>
                    void act(bot.id, () => api.patch(`/api/v1/telegram/bots/${bot.id}`, { settings }))
                  }
                />
              )}
            </td>
          </tr>
        )}
      />
    </section>
  );
}
