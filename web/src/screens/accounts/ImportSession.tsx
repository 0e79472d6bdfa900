import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ImportedSession } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';

const FORMATS = ['telethon', 'pyrogram', 'gramjs', 'tdata'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Brings in a session the user already has: a Telethon, Pyrogram or GramJS session string, or a
 * zipped Telegram Desktop tdata folder. The session is sent once and never shown again.
 */
export function ImportSession({ onImported }: { onImported: () => void }) {
  const { t } = useTranslation();
  const ids = useId();
  const [format, setFormat] = useState<Format>('telethon');
  const [text, setText] = useState('');
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<ImportedSession>();
  const ready = format === 'tdata' ? file !== undefined : text.trim() !== '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      let result: ImportedSession;
      if (format === 'tdata' && file) {
        const form = new FormData();
        form.append('format', 'tdata');
        form.append('session', file);
        result = await api.post<ImportedSession>('/api/v1/telegram/accounts/import', undefined, { form });
      } else {
        result = await api.post<ImportedSession>('/api/v1/telegram/accounts/import', {
          format,
          session: text.trim(),
        });
      }
      setDone(result);
      setText('');
      setFile(undefined);
      onImported();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{t('accounts.import')}</h2>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor={`${ids}-format`}>{t('accounts.importFormat')}</label>
          <select id={`${ids}-format`} value={format} onChange={(e) => setFormat(e.target.value as Format)}>
            {FORMATS.map((name) => (
              <option key={name} value={name}>
                {t(`accounts.importFormats.${name}`)}
              </option>
            ))}
          </select>
        </div>
        {format === 'tdata' ? (
          <div className="field">
            <label htmlFor={`${ids}-file`}>{t('accounts.importFile')}</label>
            <input
              id={`${ids}-file`}
              type="file"
              accept=".zip,application/zip"
              onChange={(e) => setFile(e.target.files?.[0])}
            />
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${ids}-text`}>{t('accounts.importSession')}</label>
            <textarea
              id={`${ids}-text`}
              rows={3}
              autoComplete="off"
              spellCheck={false}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </div>
        )}
        <small className="muted">{t('accounts.importHint')}</small>
        <div>
          <button type="submit" className="primary" disabled={busy || !ready}>
            {t('accounts.importButton')}
          </button>
        </div>
      </form>
      {done && (
        <p className="notice notice-ok" role="status">
          {t('accounts.imported', { phone: done.account.phone ?? done.account.id })}
          {done.api_id_matches === false && ` ${t('accounts.importOtherApp', { apiId: done.api_id })}`}
        </p>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}
