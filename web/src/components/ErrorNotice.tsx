import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { useCountdown } from '../hooks/useCountdown';

/**
 * An error in words, said once in the chosen language: our translation of the API's `code` when we
 * have one, else the API's own `message` (never both: the API speaks English only).
 */
export function ErrorNotice({ error, retryUntil }: { error: unknown; retryUntil?: number }) {
  const { t } = useTranslation();
  const left = useCountdown(retryUntil);
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : undefined;
  const text = apiError
    ? t(`errors.${apiError.code}`, { defaultValue: apiError.message, message: apiError.message })
    : t('errors.unexpected');
  const fields = apiError?.body.errors ?? [];
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>{text}</strong>
      </p>
      {fields.length > 0 && (
        <ul>
          {fields.map((field, index) => (
            <li key={index}>
              {field.field ?? field.property}: {field.message ?? field.messages?.join(', ')}
            </li>
          ))}
        </ul>
      )}
      {retryUntil !== undefined && left > 0 && (
        <p className="countdown" aria-live="polite">
          {t('common.retryIn', { seconds: left })}
        </p>
      )}
      {apiError && (
        <p className="muted small">
          {t('common.errorCode', { code: apiError.code, status: apiError.status })}
          {apiError.body.request_id ? ` · ${t('common.requestId', { id: apiError.body.request_id })}` : ''}
        </p>
      )}
    </div>
  );
}

/** When the error asks the caller to wait (429 + Retry-After), the moment the wait ends. */
export function retryUntilOf(error: unknown): number | undefined {
  return error instanceof ApiError && error.retryAfter ? Date.now() + error.retryAfter * 1000 : undefined;
}
