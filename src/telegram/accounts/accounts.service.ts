import { Injectable } from '@nestjs/common';
import { AccountResponseDto } from './accounts.dto';
import { AccountsRepository } from './accounts.repository';

@Injectable()
export class AccountsService {
  constructor(private readonly accounts: AccountsRepository) {}

  async list(userId: number, activeOnly: boolean): Promise<AccountResponseDto[]> {
    const rows = await this.accounts.listForUser(userId, activeOnly);
    return rows.map((row) => AccountResponseDto.from(row));
  }
}
