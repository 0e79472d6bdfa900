import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import {
  IsSettingsObject,
  IsTelegramPhone,
  IsUuidId,
  OptionalEnum,
  QueryBoolean,
  QueryInt,
} from '../../common/validation/field-validators';
import { SENDER_TYPES, type SenderType } from '../senders/sender-directory';
import { CHAT_ROLES, type ChannelSenderEntity, type ChatRole } from './channel-sender.entity';
import { CHANNEL_TYPES, type ChannelType, type TelegramChannelEntity } from './telegram-channel.entity';
import { OwnedRowResponseDto } from '../../common/http/owned-row-response.dto';

const EXAMPLE_ID = '8d7e6f50-1a2b-4c3d-9e8f-0a1b2c3d4e5f';

export class SyncChannelsDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID, description: 'A connected account of the caller' })
  @IsUuidId()
  session_id!: string;
}

export class SyncResultDto {
  @ApiProperty({ example: 3, description: 'Chats stored for the first time' })
  added!: number;

  @ApiProperty({ example: 2, description: 'Chats already stored, refreshed' })
  updated!: number;

  @ApiProperty({
    example: 1,
    description: 'Chats no longer reachable by any of the caller’s senders: now inactive',
  })
  deactivated!: number;

  @ApiProperty({ example: 5, description: 'Channels and groups the account is in' })
  total!: number;
}

export class ListChannelsQueryDto {
  @OptionalEnum(CHANNEL_TYPES, 'Only chats of this type')
  type?: ChannelType;

  @QueryBoolean({ description: 'Only active chats', default: true })
  active_only?: boolean;

  @ApiPropertyOptional({ description: 'Part of the title or username (case-insensitive)', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @QueryInt({ description: 'Page number', min: 1, max: 1_000_000, default: 1 })
  page?: number;

  @QueryInt({ description: 'Rows per page', min: 1, max: 100, default: 20 })
  size?: number;
}

export class ChannelIdParamDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  @IsUuidId()
  id!: string;
}

export class UpdateChannelDto {
  @IsSettingsObject()
  settings!: Record<string, unknown>;
}

export class ChannelSenderDto {
  @ApiProperty({ enum: SENDER_TYPES, example: 'account' })
  type!: SenderType;

  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID, description: 'The account (session) id or the bot id' })
  id!: string;

  @ApiProperty({ enum: CHAT_ROLES, example: 'admin' })
  role!: ChatRole;

  @ApiProperty({ example: true, description: 'Whether this sender may post there' })
  can_post!: boolean;

  @ApiProperty({ example: true, description: 'False once the sender is no longer in the chat' })
  is_active!: boolean;

  static from(row: ChannelSenderEntity): ChannelSenderDto {
    return {
      type: row.senderType,
      id: row.senderId,
      role: row.role,
      can_post: row.canPost,
      is_active: row.isActive,
    };
  }
}

export class ChannelResponseDto extends OwnedRowResponseDto({
  example: EXAMPLE_ID,
  description: 'The channel or group row id in this service',
}) {
  @ApiProperty({
    example: '-1001000210001',
    description: 'Bot API form: `-100<id>` for channels and supergroups, `-<id>` for basic groups',
  })
  channel_id!: string;

  @ApiProperty({ example: 'Channel 1 of Elif' })
  title!: string;

  @ApiProperty({ enum: CHANNEL_TYPES, example: 'channel' })
  type!: ChannelType;

  @ApiProperty({ example: 'emu_chat_1000210001', nullable: true, type: String })
  username!: string | null;

  @ApiProperty({ example: 1003, nullable: true, type: Number })
  members_count!: number | null;

  @ApiProperty({ type: 'object', additionalProperties: true, example: {} })
  settings!: Record<string, unknown>;

  @ApiProperty({ example: true })
  is_active!: boolean;

  @ApiProperty({ example: '2026-11-25T10:05:00.000Z', nullable: true, type: String })
  last_synced_at!: string | null;

  @ApiProperty({ type: [ChannelSenderDto], description: 'The caller’s accounts and bots that reach it' })
  senders!: ChannelSenderDto[];

  static from(row: TelegramChannelEntity, senders: ChannelSenderEntity[]): ChannelResponseDto {
    return {
      id: row.id,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
      user_id: row.userId,
      channel_id: row.channelId,
      title: row.title,
      type: row.type,
      username: row.username,
      members_count: row.membersCount,
      settings: row.settings,
      is_active: row.isActive,
      last_synced_at: row.lastSyncedAt?.toISOString() ?? null,
      senders: senders.filter((s) => s.channelRowId === row.id).map((s) => ChannelSenderDto.from(s)),
    };
  }
}

export class ChannelPageDto {
  @ApiProperty({ type: [ChannelResponseDto] })
  items!: ChannelResponseDto[];

  @ApiProperty({ example: 42 })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  size!: number;

  @ApiProperty({ example: 3 })
  pages!: number;
}

export class EmulatorCreateChatDto {
  @ApiProperty({
    example: '+9996611234',
    description: 'The emulated user who creates it (one of your accounts)',
  })
  @IsTelegramPhone()
  phone!: string;

  @ApiProperty({ enum: CHANNEL_TYPES, example: 'channel' })
  @IsIn([...CHANNEL_TYPES], { message: `type must be one of: ${CHANNEL_TYPES.join(', ')}` })
  type!: ChannelType;

  @ApiProperty({ example: 'Launch news', minLength: 1, maxLength: 128 })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  title!: string;
}

export class EmulatorChatDto {
  @ApiProperty({ example: '-1001000110001', description: 'Bot API form' })
  chat_id!: string;

  @ApiProperty({ enum: CHANNEL_TYPES, example: 'channel' })
  type!: ChannelType;

  @ApiProperty({ example: 'Launch news' })
  title!: string;
}

export class EmulatorLeaveChatDto {
  @ApiProperty({ example: '+9996611234', description: 'The emulated user who leaves (one of your accounts)' })
  @IsTelegramPhone()
  phone!: string;

  @ApiProperty({ example: '-1001000110001', description: 'Bot API form: -100<id> or -<id>' })
  @IsString()
  @Matches(/^-\d{1,19}$/, { message: 'chat_id must be -100<id> or -<id>' })
  chat_id!: string;
}

export class EmulatorLeaveChatResponseDto {
  @ApiProperty({ example: true })
  left!: boolean;
}
