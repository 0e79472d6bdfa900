import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsTelegramPhone, IsUuidId } from '../common/validation/field-validators';

export class EmulatorFloodDto {
  @ApiPropertyOptional({ example: '+9996621234', description: 'One of your accounts (or give bot_id)' })
  @IsOptional()
  @IsTelegramPhone()
  phone?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'One of your bots (a /telegram/bots id), or give phone',
  })
  @IsOptional()
  @IsUuidId()
  bot_id?: string;

  @ApiProperty({ example: 5, description: 'The N of the FLOOD_WAIT_N the next send answers' })
  @IsInt()
  @Min(1)
  @Max(86400)
  seconds!: number;
}

export class EmulatorFloodResponseDto {
  @ApiProperty({ example: 'FLOOD_WAIT_5' })
  armed!: string;
}

export class EmulatorChatParamsDto {
  @ApiProperty({ example: '-1001000200010003', description: 'Bot API chat id (-100… channels, -… groups)' })
  @Matches(/^-?\d{1,20}$/, { message: 'chat_id must be a Bot API chat id such as -1001000200010003' })
  chat_id!: string;
}

export class EmulatorDeliveredSenderDto {
  @ApiProperty({ enum: ['account', 'bot'] })
  type!: 'account' | 'bot';

  @ApiProperty({ example: '9996621234', description: 'The account phone (digits) or the bot’s Telegram id' })
  id!: string;

  @ApiProperty({ example: 'Chen Petrov' })
  name!: string;
}

export class EmulatorDeliveredMediaDto {
  @ApiProperty({ enum: ['photo', 'document'] })
  kind!: 'photo' | 'document';

  @ApiProperty({ example: 'report.pdf' })
  name!: string;

  @ApiProperty({ example: 1024 })
  size!: number;
}

export class EmulatorDeliveredMessageDto {
  @ApiProperty({ example: 100 })
  id!: number;

  @ApiProperty({ example: 'Hello' })
  text!: string;

  @ApiProperty({ type: EmulatorDeliveredSenderDto })
  sender!: EmulatorDeliveredSenderDto;

  @ApiProperty({
    example: '-4567891234567890',
    description: 'The random_id the sender gave (int64, decimal)',
  })
  random_id!: string;

  @ApiProperty({ example: 1764600000, description: 'Unix seconds' })
  date!: number;

  @ApiPropertyOptional({ type: EmulatorDeliveredMediaDto })
  media?: EmulatorDeliveredMediaDto;
}

export class EmulatorChatMessagesDto {
  @ApiProperty({ example: '-1001000200010003' })
  chat_id!: string;

  @ApiProperty({ type: [EmulatorDeliveredMessageDto] })
  messages!: EmulatorDeliveredMessageDto[];
}
