import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { AccountResponseDto } from './accounts.dto';
import { SESSION_FORMATS, type SessionFormat } from './session-import-formats';

/** The largest session accepted as text (a tdata zip in base64 included). */
export const IMPORT_SESSION_MAX_CHARS = 4 * 1024 * 1024;

export class ImportSessionDto {
  @ApiProperty({ enum: SESSION_FORMATS, example: 'telethon' })
  @IsIn(SESSION_FORMATS)
  format!: SessionFormat;

  @ApiProperty({
    description:
      'The session: a Telethon or GramJS StringSession, a Pyrogram session string, or (format `tdata`) a zip of the ' +
      'Telegram Desktop `tdata` folder in base64 — or send that zip as the `session` file of a multipart/form-data ' +
      'request. Never logged, stored only encrypted, never returned.',
    example: '1BQANOTEuMTA4LjU2LjE…',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(IMPORT_SESSION_MAX_CHARS)
  session!: string;
}

export class ImportSessionResponseDto {
  @ApiProperty({ type: AccountResponseDto, description: 'The account, connected (`login_method` import)' })
  account!: AccountResponseDto;

  @ApiProperty({ enum: SESSION_FORMATS })
  format!: SessionFormat;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 6,
    description:
      'The application id the session says it was made with (Pyrogram sessions say); null when unknown',
  })
  api_id!: number | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    example: false,
    description:
      'Whether that id is this service’s TELEGRAM_API_ID. A session made by another application may be refused or ' +
      'flagged by Telegram later; null when the format does not say.',
  })
  api_id_matches!: boolean | null;
}
