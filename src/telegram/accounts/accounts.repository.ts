import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TelegramSessionEntity } from './telegram-session.entity';

/** Owner-scoped access to telegram_sessions: every method takes the user id. */
@Injectable()
export class AccountsRepository {
  constructor(
    @InjectRepository(TelegramSessionEntity) private readonly sessions: Repository<TelegramSessionEntity>,
  ) {}

  listForUser(userId: number, activeOnly: boolean): Promise<TelegramSessionEntity[]> {
    return this.sessions.find({
      where: activeOnly ? { userId, isActive: true } : { userId },
      order: { createdAt: 'DESC', id: 'DESC' },
      select: ['id', 'createdAt', 'updatedAt', 'userId', 'phone', 'sessionMetadata', 'isActive'],
    });
  }
}
