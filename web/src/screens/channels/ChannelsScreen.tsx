import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { senderNames } from '../../api/names';
import type { Account, Bot, Channel, ChannelType, Page, SyncResult } from '../../api/types';
import { ErrorNotice, retryUntilOf } from '../../components/ErrorNotice';
import { Pager } from '../../components/Pager';
import { useAsync } from '../../hooks/useAsync';
import { ChannelRow } from './ChannelRow';

const TYPES: ChannelType[] = ['channel', 'supergroup', 'group'];
const SIZE = 20;

export function ChannelsScreen() {
  const { t } = useTranslation();
  const [type, setType] = useState<ChannelType | ''>('');
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const [account, setAccount] = useState('');
  const [syncing, setSyncing] = useState(false);
  const [result, setResult] = useState<SyncResult>();
  const [syncError, setSyncError] = useState<unknown>();
  const accounts = useAsync(() => api.get<Account[]>('/api/v1/telegram/accounts'), []);
  // Senders are named by phone or @username, inactive ones too (a chat may list a revoked account).
  const everyAccount = useAsync(
    () => api.get<Account[]>('/api/v1/telegram/accounts', { query: { active_only: false } }),
    [],
  );
  const bots = useAsync(() => api.get<Bot[]>('/api/v1/telegram/bots', { query: { active_only: false } }), []);
  const connected = (accounts.data ?? []).filter((a) => a.session_metadata.status === 'connected');
  const chosen = account || connected[0]?.id || '';
  const channels = useAsync(
    () =>
      api.get<Page<Channel>>('/api/v1/telegram/channels', {
        query: { type: type || undefined, search: query || undefined, page, size: SIZE },
      }),
    [type, query, page],
  );
  const names = useMemo(() => senderNames(everyAccount.data, bots.data), [everyAccount.data, bots.data]);
  const retryUntil = useMemo(() => retryUntilOf(syncError), [syncError]);

  const sync = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    setSyncing(true);
    setSyncError(undefined);
    setResult(undefined);
    try {
      setResult(await api.post<SyncResult>('/api/v1/telegram/channels/sync', { session_id: chosen }));
      channels.reload();
    } catch (failure) {
      setSyncError(failure);
    } finally {
      setSyncing(false);
    }
  };

  const applySearch = (event: FormEvent) => {
    event.preventDefault();
    setPage(1);
    setQuery(search.trim());
  };

  return (
    <section aria-labelledby="channels-title">
      <h1 id="channels-title">{t('channels.title')}</h1>
      <section className="card" aria-labelledby="sync-title">
        <h2 id="sync-title">{t('channels.sync')}</h2>
        {accounts.data && connected.length === 0 ? (
          <p>{t('channels.noAccount')}</p>
        ) : (
          <form onSubmit={(event) => void sync(event)} className="row">
            <div className="field">
              <label htmlFor="sync-account">{t('channels.account')}</label>
              <select id="sync-account" value={chosen} onChange={(event) => setAccount(event.target.value)}>
                {connected.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.phone ?? a.session_metadata.username ?? a.id}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="primary" disabled={syncing || !chosen}>
              {syncing ? t('channels.syncing') : t('channels.syncButton')}
            </button>
          </form>
        )}
        {syncing && <progress aria-label={t('channels.syncing')} />}
        {result && (
          <p className="notice notice-ok" role="status" data-testid="sync-result">
            {t('channels.syncResult', { ...result })}
          </p>
        )}
        <ErrorNotice error={syncError} retryUntil={retryUntil} />
      </section>
      <section className="card" aria-labelledby="channels-list-title">
        <h2 id="channels-list-title">{t('channels.list')}</h2>
        <form className="row filters" onSubmit={applySearch} role="search">
          <div className="field">
            <label htmlFor="channel-type">{t('channels.type')}</label>
            <select
              id="channel-type"
              value={type}
              onChange={(event) => {
                setPage(1);
                setType(event.target.value as ChannelType | '');
              }}
            >
              <option value="">{t('channels.allTypes')}</option>
              {TYPES.map((value) => (
                <option key={value} value={value}>
                  {t(`channels.types.${value}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="channel-search">{t('channels.search')}</label>
            <input
              id="channel-search"
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <button type="submit">{t('channels.searchButton')}</button>
        </form>
        <ErrorNotice error={channels.error} />
        {channels.data?.items.length === 0 && <p>{t('channels.empty')}</p>}
        {channels.data && channels.data.items.length > 0 && (
          <>
            <p className="muted" aria-live="polite">
              {t('channels.total', { count: channels.data.total })}
            </p>
            <div className="table-wrap" tabIndex={0}>
              <table className="stack">
                <caption className="sr-only">{t('channels.list')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('channels.chat')}</th>
                    <th scope="col">{t('channels.type')}</th>
                    <th scope="col">{t('channels.members')}</th>
                    <th scope="col">{t('channels.senders')}</th>
                    <th scope="col">{t('common.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {channels.data.items.map((channel) => (
                    <ChannelRow
                      key={channel.id}
                      channel={channel}
                      senderName={(type, id) => names.get(`${type}:${id}`)}
                      onChanged={channels.reload}
                    />
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} pages={channels.data.pages} onPage={setPage} />
          </>
        )}
      </section>
    </section>
  );
}
