import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { TelegramSessionEntity } from './telegram-session.entity';

@Module({
  imports: [TypeOrmModule.forFeature([TelegramSessionEntity])],
  controllers: [AccountsController],
  providers: [AccountsRepository, AccountsService],
  exports: [AccountsRepository],
})
export class TelegramAccountsModule {}
