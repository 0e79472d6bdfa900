import { Global, Module } from '@nestjs/common';
import { ChangeCommit } from './change-commit';

/**
 * Where the audit log (logs/) and the outbox (events/outbox/) meet: ChangeCommit, the one way a
 * feature commits a state change with its audit rows and events. Global, like both of them.
 */
@Global()
@Module({ providers: [ChangeCommit], exports: [ChangeCommit] })
export class ChangesModule {}
