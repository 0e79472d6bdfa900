import { ApiProperty } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import {
  IsSettingsObject,
  IsTelegramBotToken,
  IsUuidId,
  QueryBoolean,
  TELEGRAM_BOT_TOKEN_PATTERN,
} from '../../common/validation/field-validators';
import { BOT_STATUSES, type BotStatus, type TelegramBotEntity } from './telegram-bot.entity';
import { OwnedRowResponseDto } from '../../common/http/owned-row-response.dto';

const EXAMPLE_ID = '5b0c7a52-2f7e-4d4b-9d0e-1f2a3b4c5d6e';

export class AddBotDto {
  @ApiProperty({
    description:
      'The token from BotFather: 5–12 digits, a colon, 35 characters of `A–Z a–z 0–9 _ -` (see `pattern`). Stored only encrypted; never returned or logged.',
    pattern: TELEGRAM_BOT_TOKEN_PATTERN.source,
    example: '9997710001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1',
  })
  @IsTelegramBotToken()
  bot_token!: string;

  @IsOptional()
  @IsSettingsObject()
  settings?: Record<string, unknown>;
}

export class UpdateBotDto {
  @IsSettingsObject()
  settings!: Record<string, unknown>;
}

export class ListBotsQueryDto {
  @QueryBoolean({ description: 'Only bots that are active', default: true })
  active_only?: boolean;
}

export class BotIdParamDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  @IsUuidId()
  bot_id!: string;
}

export class BotResponseDto extends OwnedRowResponseDto({
  example: EXAMPLE_ID,
  description: 'The bot id in this service',
}) {
  @ApiProperty({
    example: '9997710001',
    nullable: true,
    type: String,
    description: 'The bot’s Telegram user id',
  })
  telegram_bot_id!: string | null;

  @ApiProperty({
    example: 'emu_0001_bot',
    description: 'As Telegram reports it (never taken from the caller)',
  })
  username!: string;

  @ApiProperty({ example: 'Emulated bot 0001', nullable: true, type: String })
  first_name!: string | null;

  @ApiProperty({ example: true, nullable: true, type: Boolean, description: 'Telegram lets it join groups' })
  can_join_groups!: boolean | null;

  @ApiProperty({
    example: false,
    nullable: true,
    type: Boolean,
    description: 'Privacy mode off: it reads all group messages',
  })
  can_read_all_group_messages!: boolean | null;

  @ApiProperty({ example: 1, nullable: true, type: Number, description: 'The bot’s home DC' })
  dc_id!: number | null;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { signature: '— CF' } })
  settings!: Record<string, unknown>;

  @ApiProperty({
    enum: BOT_STATUSES,
    example: 'active',
    description: '`revoked`: Telegram no longer accepts its token; `removed`: deleted here',
  })
  status!: BotStatus;

  @ApiProperty({ example: true })
  is_active!: boolean;

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'Telegram’s reason of the last failure, e.g. AUTH_KEY_UNREGISTERED',
  })
  last_error!: string | null;

  @ApiProperty({ example: '2026-11-25T10:05:00.000Z', nullable: true, type: String })
  last_checked_at!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  revoked_at!: string | null;

  /** Lists the returned fields explicitly: the token and the session can never leak through here. */
  static from(row: TelegramBotEntity): BotResponseDto {
    return {
      id: row.id,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
      user_id: row.userId,
      telegram_bot_id: row.telegramBotId,
      username: row.username,
      first_name: row.firstName,
      can_join_groups: row.canJoinGroups,
      can_read_all_group_messages: row.canReadAllGroupMessages,
      dc_id: row.dcId,
      settings: row.settings,
      status: row.status,
      is_active: row.isActive,
      last_error: row.lastError,
      last_checked_at: row.lastCheckedAt?.toISOString() ?? null,
      revoked_at: row.revokedAt?.toISOString() ?? null,
    };
  }
}

export class EmulatorRevokeBotDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID, description: 'One of the caller’s bots' })
  @IsUuidId()
  bot_id!: string;
}

export class EmulatorRevokeBotResponseDto {
  @ApiProperty({ example: 1, description: 'Bot sessions (auth keys) signed out' })
  revoked!: number;
}
