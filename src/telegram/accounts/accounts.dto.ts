import { ApiProperty } from '@nestjs/swagger';
import { QueryBoolean } from '../../common/validation/decorators';
import type { SessionMetadata, TelegramSessionEntity } from './telegram-session.entity';

export class ListAccountsQueryDto {
  @QueryBoolean({ description: 'Only accounts whose session is active', default: true })
  active_only?: boolean;
}

export class AccountResponseDto {
  @ApiProperty({
    format: 'uuid',
    example: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21',
    description: 'The session id',
  })
  id!: string;

  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ example: '2026-11-25T10:05:00.000Z' })
  updated_at!: string;

  @ApiProperty({ example: 42 })
  user_id!: number;

  @ApiProperty({ example: '+9996621234', nullable: true, type: String })
  phone!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { status: 'connected', telegram_user_id: '100200300', username: 'jane', dc_id: 2 },
    description: 'Descriptive state of the session; never a credential',
  })
  session_metadata!: SessionMetadata;

  @ApiProperty({ example: true })
  is_active!: boolean;

  /** Lists the returned fields explicitly, so a new secret column can never leak. */
  static from(entity: TelegramSessionEntity): AccountResponseDto {
    return {
      id: entity.id,
      created_at: entity.createdAt.toISOString(),
      updated_at: entity.updatedAt.toISOString(),
      user_id: entity.userId,
      phone: entity.phone,
      session_metadata: entity.sessionMetadata,
      is_active: entity.isActive,
    };
  }
}
