import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { API_KEY_RESOLVER } from '../common/auth/api-key-grant';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyLookup } from './api-key-lookup';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

/**
 * Scoped API keys. Global for one export: the ApiKeyResolver port that authentication (the global
 * AuthModule) asks about a key, so common/auth never imports this feature.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity])],
  controllers: [ApiKeysController],
  providers: [
    ApiKeysRepository,
    ApiKeyLookup,
    ApiKeysService,
    { provide: API_KEY_RESOLVER, useExisting: ApiKeyLookup },
  ],
  exports: [API_KEY_RESOLVER],
})
export class ApiKeysModule {}
