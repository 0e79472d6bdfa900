import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';
import { IsUuidId } from '../../common/validation/field-validators';

const EXAMPLE_ID = '8d7e6f50-1a2b-4c3d-9e8f-0a1b2c3d4e5f';

/** `@username` (Telegram's 5–32 characters) or the Bot API id: `-100<id>` or `-<id>`. */
export const CHAT_REFERENCE_PATTERN = /^(@[A-Za-z][A-Za-z0-9_]{3,31}|-\d{1,19})$/;

export class AddBotChatDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID, description: 'One of the caller’s active bots' })
  @IsUuidId()
  bot_id!: string;

  @ApiProperty({
    example: '@launch_news',
    description:
      'The chat: `@username`, or its Bot API id (`-100<id>` for channels and supergroups, `-<id>`)',
  })
  @IsString()
  @Matches(CHAT_REFERENCE_PATTERN, { message: 'chat must be @username, -100<id> or -<id>' })
  chat!: string;
}

export class EmulatorAddBotToChatDto {
  @ApiProperty({ example: '-1001000110001', description: 'Bot API form: -100<id> or -<id>' })
  @IsString()
  @Matches(/^-\d{1,19}$/, { message: 'chat_id must be -100<id> or -<id>' })
  chat_id!: string;

  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID, description: 'One of the caller’s bots' })
  @IsUuidId()
  bot_id!: string;

  @ApiPropertyOptional({ default: false, description: 'An admin who may post (else a plain member)' })
  @IsOptional()
  @IsBoolean()
  admin?: boolean;
}

export class EmulatorAddBotToChatResponseDto {
  @ApiProperty({ example: true })
  added!: boolean;
}

/**
 * True when a Bot API chat id names a channel or supergroup: `-100` + the channel id, at least 13 digits
 * (values ≤ -10^12, as the Bot API reads them) and no zero after the prefix — a basic group's `-<id>`
 * can itself begin with -100 (the emulator's group ids are 13 digits).
 */
export function isChannelChatId(chatId: string): boolean {
  return /^-100[1-9]\d*$/.test(chatId) && chatId.length >= 14;
}

/** Bare id of a Bot API chat id (`-100<id>` → id, `-<id>` → id). */
export function bareChatId(chatId: string): bigint {
  return BigInt(isChannelChatId(chatId) ? chatId.slice(4) : chatId.slice(1));
}
