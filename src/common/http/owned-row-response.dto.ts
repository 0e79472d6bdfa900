import { ApiProperty } from '@nestjs/swagger';

/**
 * The fields every owned row's response starts with (an account, a bot, a channel): its id, when it
 * was created and last changed, and whose it is. A class per resource, so each documents its own id.
 */
export function OwnedRowResponseDto(id: { example: string; description: string }) {
  abstract class OwnedRowResponse {
    @ApiProperty({ format: 'uuid', ...id })
    id!: string;

    @ApiProperty({ example: '2026-11-25T10:00:00.000Z' })
    created_at!: string;

    @ApiProperty({ example: '2026-11-25T10:05:00.000Z' })
    updated_at!: string;

    @ApiProperty({ example: 42, description: 'The owner (the `user_id` of the caller’s token)' })
    user_id!: number;
  }
  return OwnedRowResponse;
}
