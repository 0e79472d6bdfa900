import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Edits a settings object as JSON; refuses anything that is not a JSON object. */
export function JsonEditor({
  label,
  value,
  onSave,
  busy,
}: {
  label: string;
  value: Record<string, unknown>;
  onSave: (next: Record<string, unknown>) => void;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [problem, setProblem] = useState<string>();
  const save = () => {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      setProblem(undefined);
      onSave(parsed as Record<string, unknown>);
    } catch {
      setProblem(t('common.jsonObjectRequired'));
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={4}
        value={text}
        onChange={(event) => setText(event.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-problem` : undefined}
      />
      {problem && (
        <small id={`${id}-problem`} className="error-text" role="alert">
          {problem}
        </small>
      )}
      <div>
        <button type="button" onClick={save} disabled={busy}>
          {t('common.saveSettings')}
        </button>
      </div>
    </div>
  );
}
