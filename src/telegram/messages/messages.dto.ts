import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsISO8601, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { IsUuidId, OptionalEnum, QueryInt } from '../../common/validation/field-validators';
import { MESSAGE_STATUSES, type MessageStatus, type TelegramMessageEntity } from './telegram-message.entity';

const EXAMPLE_ID = '0e8f8d1e-6a0b-4c52-8f0f-3d7a6c1b2a90';

export class SendMessageDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Send as this account (a /telegram/accounts id); or bot_id',
  })
  @IsOptional()
  @IsUuidId()
  session_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Send as this bot (a /telegram/bots id); or session_id',
  })
  @IsOptional()
  @IsUuidId()
  bot_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The target: a /telegram/channels row; or chat' })
  @IsOptional()
  @IsUuidId()
  channel_id?: string;

  @ApiPropertyOptional({
    example: '@my_channel',
    description:
      'The target: an @username or a numeric (Bot API) chat id of one of your synced chats; or channel_id',
  })
  @IsOptional()
  @IsString()
  @Matches(/^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?\d{1,20})$/, {
    message: 'chat must be an @username or a numeric chat id such as -1001234567890',
  })
  chat?: string;

  @ApiPropertyOptional({
    example: 'Hello **world**',
    description:
      'The text (a caption with a file): at most 4,096 characters after markup (1,024 for a caption)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  text?: string;

  @OptionalEnum(
    ['markdown', 'html'],
    'How `text` is marked up (GramJS markdown: ** __ ~~ ` ```; or HTML tags)',
  )
  parse_mode?: 'markdown' | 'html';

  @ApiPropertyOptional({ description: 'Deliver without a notification' })
  @IsOptional()
  @IsBoolean()
  silent?: boolean;

  @ApiPropertyOptional({ description: 'No link preview' })
  @IsOptional()
  @IsBoolean()
  disable_link_preview?: boolean;

  @ApiPropertyOptional({ example: 42, description: 'Telegram id of the message this one answers' })
  @IsOptional()
  @IsInt()
  @Min(1)
  reply_to?: number;

  @ApiPropertyOptional({
    example: '2026-12-24T09:00:00Z',
    description: 'Send at (ISO 8601); now when omitted',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  send_at?: string;
}

/** The multipart form of POST /send: the fields of SendMessageDto plus one `file` part. */
export class SendMediaFormDto extends SendMessageDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'A photo (JPEG/PNG) or a document' })
  file!: unknown;
}

export class MessageErrorDto {
  @ApiProperty({
    example: 'chat_write_forbidden',
    description:
      "For a `failed` message, why (Telegram's reason in lower case, `sender_revoked`, …). For a `waiting` " +
      'one: `flood_wait` / `slowmode_wait` (Telegram asked to wait), or parked until mended — ' +
      "`secrets_unavailable` (the sender's secret cannot be opened: Vault away or its transit key " +
      'unusable) or `telegram_not_configured` (no Telegram API credentials); tried again every 5 s.',
  })
  code!: string;

  @ApiProperty({ example: 'The sender may not write in this chat' })
  message!: string;
}

export class MessageMediaDto {
  @ApiProperty({ enum: ['photo', 'document'] })
  kind!: 'photo' | 'document';

  @ApiProperty({ example: 'report.pdf' })
  file_name!: string;

  @ApiProperty({ example: 'application/pdf' })
  mime_type!: string;

  @ApiProperty({ example: 20480 })
  size!: number;
}

export class SendAcceptedDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  message_id!: string;

  @ApiProperty({ example: 'queued', enum: ['queued'] })
  status!: 'queued';

  @ApiProperty({ enum: ['account', 'bot'] })
  sender_type!: 'account' | 'bot';

  @ApiProperty({ format: 'uuid' })
  sender_id!: string;

  @ApiProperty({ example: '-1001000200010001' })
  chat_id!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  channel_id!: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  send_at!: string | null;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  queued_at!: string;

  static from(row: TelegramMessageEntity): SendAcceptedDto {
    return {
      message_id: row.id,
      status: 'queued',
      sender_type: row.senderType,
      sender_id: row.senderId,
      chat_id: row.chatId,
      channel_id: row.channelRowId,
      send_at: row.sendAt?.toISOString() ?? null,
      queued_at: row.queuedAt.toISOString(),
    };
  }
}

export class MessageResponseDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  id!: string;

  @ApiProperty({ enum: MESSAGE_STATUSES })
  status!: MessageStatus;

  @ApiProperty({ example: 1, description: 'Attempts made (flood and slow-mode waits are not counted)' })
  attempts!: number;

  @ApiProperty({
    nullable: true,
    type: String,
    example: '1024',
    description: 'Null when unknown (RANDOM_ID_DUPLICATE)',
  })
  telegram_message_id!: string | null;

  @ApiProperty({ nullable: true, type: String })
  sent_at!: string | null;

  @ApiProperty({
    nullable: true,
    type: MessageErrorDto,
    description: 'Why it failed or waits, or the last problem while retrying',
  })
  error!: MessageErrorDto | null;

  @ApiProperty({ enum: ['account', 'bot'] })
  sender_type!: 'account' | 'bot';

  @ApiProperty({ format: 'uuid' })
  sender_id!: string;

  @ApiProperty({ example: '-1001000200010001' })
  chat_id!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  channel_id!: string | null;

  @ApiProperty({ example: 'Hello' })
  text!: string;

  @ApiProperty({ nullable: true, enum: ['markdown', 'html'] })
  parse_mode!: 'markdown' | 'html' | null;

  @ApiProperty({ nullable: true, type: MessageMediaDto })
  media!: MessageMediaDto | null;

  @ApiProperty({ example: '-4581231122334455', description: 'Telegram random_id, the same on every attempt' })
  random_id!: string;

  @ApiProperty({ nullable: true, type: String })
  send_at!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Waiting / backing off until then' })
  next_attempt_at!: string | null;

  @ApiProperty()
  queued_at!: string;

  @ApiProperty()
  created_at!: string;

  @ApiProperty()
  updated_at!: string;

  static from(row: TelegramMessageEntity): MessageResponseDto {
    const open = row.status === 'queued' || row.status === 'waiting';
    return {
      id: row.id,
      status: row.status,
      attempts: row.attempts,
      telegram_message_id: row.telegramMessageId,
      sent_at: row.sentAt?.toISOString() ?? null,
      error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
      sender_type: row.senderType,
      sender_id: row.senderId,
      chat_id: row.chatId,
      channel_id: row.channelRowId,
      text: row.text,
      parse_mode: row.parseMode,
      media: row.media ? { ...row.media } : null,
      random_id: row.randomId,
      send_at: row.sendAt?.toISOString() ?? null,
      next_attempt_at: open ? (row.notBefore?.toISOString() ?? null) : null,
      queued_at: row.queuedAt.toISOString(),
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }
}

export class MessageIdParamDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  @IsUuidId()
  message_id!: string;
}

export class MessagesQueryDto {
  @OptionalEnum(MESSAGE_STATUSES, 'Only messages in this status')
  status?: MessageStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only messages to this /telegram/channels row' })
  @IsOptional()
  @IsUuidId()
  channel_id?: string;

  @QueryInt({ description: 'Page (1-based)', min: 1, max: 100000, default: 1 })
  page?: number;

  @QueryInt({ description: 'Page size', min: 1, max: 100, default: 20 })
  size?: number;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageResponseDto] })
  items!: MessageResponseDto[];

  @ApiProperty({ example: 1 })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  size!: number;

  @ApiProperty({ example: 1 })
  pages!: number;
}
