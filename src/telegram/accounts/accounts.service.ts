import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/app-error';
import { AccountResponseDto } from './accounts.dto';
import { AccountsRepository } from './accounts.repository';
import { AccountMessages } from './login-messages';

/** The caller's Telegram accounts, read from the database only. */
@Injectable()
export class AccountsService {
  constructor(private readonly accounts: AccountsRepository) {}

  async list(userId: number, activeOnly: boolean): Promise<AccountResponseDto[]> {
    const rows = await this.accounts.listForUser(userId, activeOnly);
    return rows.map((row) => AccountResponseDto.from(row));
  }

  async get(userId: number, sessionId: string): Promise<AccountResponseDto> {
    const row = await this.accounts.findForUser(userId, sessionId);
    if (!row) throw new NotFoundError(AccountMessages.noSuchAccount);
    return AccountResponseDto.from(row);
  }
}
