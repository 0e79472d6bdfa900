import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { API_KEY_SCOPES, type ApiKey, type CreatedApiKey } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { ListCard } from '../../components/ListCard';
import { useAsync } from '../../hooks/useAsync';
import { useRowActions } from '../../hooks/useRowActions';

/** Scoped API keys for server-side callers: make one (shown once, to copy), see when each was last used, revoke. */
export function ApiKeysScreen() {
  const { t, i18n } = useTranslation();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<CreatedApiKey>();
  const [copied, setCopied] = useState(false);
  const [createError, setCreateError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const keys = useAsync(() => api.get<ApiKey[]>('/api/v1/api-keys'), []);
  const { busy, error: actionError, run: act } = useRowActions({ onSettled: keys.reload });
  const when = (value: string | null) => (value ? new Date(value).toLocaleString(i18n.language) : '—');

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setCreating(true);
    setCreateError(undefined);
    setCreated(undefined);
    setCopied(false);
    try {
      const body = {
        name: name.trim(),
        scopes,
        ...(expires ? { expires_at: new Date(expires).toISOString() } : {}),
      };
      setCreated(await api.post<CreatedApiKey>('/api/v1/api-keys', body));
      setName('');
      setScopes([]);
      setExpires('');
      keys.reload();
    } catch (failure) {
      setCreateError(failure);
    } finally {
      setCreating(false);
    }
  };

  const copy = async (key: string) => {
    await navigator.clipboard.writeText(key);
    setCopied(true);
  };

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">{t('apiKeys.title')}</h1>
      <p className="muted">{t('apiKeys.intro')}</p>
      <section className="card" aria-labelledby="keys-create-title">
        <h2 id="keys-create-title">{t('apiKeys.create')}</h2>
        <form onSubmit={(event) => void create(event)} noValidate>
          <Field
            label={t('apiKeys.name')}
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
          <fieldset className="scopes">
            <legend>{t('apiKeys.scopes')}</legend>
            {API_KEY_SCOPES.map((scope) => (
              <label key={scope} className="inline">
                <input
                  type="checkbox"
                  checked={scopes.includes(scope)}
                  onChange={(e) =>
                    setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))
                  }
                />
                <code>{scope}</code>
              </label>
            ))}
          </fieldset>
          <Field
            label={t('apiKeys.expires')}
            type="datetime-local"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            hint={t('apiKeys.expiresHint')}
          />
          <button
            type="submit"
            className="primary"
            disabled={creating || !name.trim() || scopes.length === 0}
          >
            {t('apiKeys.createButton')}
          </button>
        </form>
        {created && (
          <div className="notice notice-ok" role="status" data-testid="api-key-created">
            <p>{t('apiKeys.created', { name: created.name })}</p>
            <code className="secret" data-testid="api-key-value">
              {created.key}
            </code>
            <button type="button" onClick={() => void copy(created.key)}>
              {copied ? t('apiKeys.copied') : t('apiKeys.copy')}
            </button>
            <button type="button" onClick={() => setCreated(undefined)}>
              {t('apiKeys.hide')}
            </button>
          </div>
        )}
        <ErrorNotice error={createError} />
      </section>
      <ListCard
        id="keys-list-title"
        title={t('apiKeys.list')}
        error={keys.error ?? actionError}
        empty={t('apiKeys.empty')}
        columns={[
          t('apiKeys.name'),
          t('apiKeys.scopes'),
          t('apiKeys.lastUsed'),
          t('apiKeys.expires'),
          t('common.actions'),
        ]}
        items={keys.data}
        row={(key) => (
          <tr key={key.id} data-testid={`api-key-${key.name}`}>
            <td data-label={t('apiKeys.name')}>
              {key.name}
              <div className="muted small">
                <code>{key.key_prefix}…</code>
              </div>
            </td>
            <td data-label={t('apiKeys.scopes')}>{key.scopes.join(', ')}</td>
            <td data-label={t('apiKeys.lastUsed')}>{when(key.last_used_at)}</td>
            <td data-label={t('apiKeys.expires')}>
              {key.expires_at ? when(key.expires_at) : t('apiKeys.never')}
            </td>
            <td data-label={t('common.actions')} className="actions">
              <ConfirmButton
                label={t('apiKeys.revoke')}
                question={t('apiKeys.revokeQuestion', { name: key.name })}
                disabled={busy === key.id}
                onConfirm={() => void act(key.id, () => api.delete(`/api/v1/api-keys/${key.id}`))}
              />
            </td>
          </tr>
        )}
      />
    </section>
  );
}
