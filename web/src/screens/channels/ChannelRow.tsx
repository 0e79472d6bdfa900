import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Channel } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JsonEditor } from '../../components/JsonEditor';
import { useRowActions } from '../../hooks/useRowActions';

export function ChannelRow({
  channel,
  senderName,
  onChanged,
}: {
  channel: Channel;
  senderName: (type: 'account' | 'bot', id: string) => string | undefined;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const posters = channel.senders.filter((s) => s.can_post && s.is_active);

  const actions = useRowActions({ onSuccess: () => setEditing(false), onSettled: onChanged });
  const busy = actions.busy !== undefined;
  const act = (action: () => Promise<unknown>) => actions.run(channel.id, action);

  return (
    <tr data-testid={`channel-${channel.channel_id}`}>
      <td data-label={t('channels.chat')}>
        {channel.title}
        {channel.username && <div className="muted small">@{channel.username}</div>}
        {!channel.is_active && <div className="muted small">{t('channels.inactive')}</div>}
      </td>
      <td data-label={t('channels.type')}>{t(`channels.types.${channel.type}`)}</td>
      <td data-label={t('channels.members')}>{channel.members_count ?? '—'}</td>
      <td data-label={t('channels.senders')}>
        {posters.length === 0
          ? t('channels.nobodyPosts')
          : posters.map((s) => (
              <div key={`${s.type}-${s.id}`} className="small">
                {t(`channels.senderTypes.${s.type}`)}{' '}
                {senderName(s.type, s.id) ?? t('channels.unknownSender')} (
                {t(`channels.roles.${s.role}`, { defaultValue: s.role })})
              </div>
            ))}
      </td>
      <td data-label={t('common.actions')} className="actions">
        <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {t('common.settings')}
        </button>
        {channel.is_active && (
          <ConfirmButton
            label={t('channels.remove')}
            question={t('channels.removeQuestion', { title: channel.title })}
            disabled={busy}
            onConfirm={() => void act(() => api.delete(`/api/v1/telegram/channels/${channel.id}`))}
          />
        )}
        {editing && (
          <JsonEditor
            label={t('channels.settingsOf', { title: channel.title })}
            value={channel.settings}
            busy={busy}
            onSave={(settings) =>
              void act(() => api.patch(`/api/v1/telegram/channels/${channel.id}`, { settings }))
            }
          />
        )}
        <ErrorNotice error={actions.error} />
      </td>
    </tr>
  );
}
