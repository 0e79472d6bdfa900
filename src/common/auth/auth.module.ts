import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { Authenticator } from './authenticator';
import { JwtVerifier } from './jwt-verifier';

@Global()
@Module({
  providers: [
    {
      provide: JwtVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new JwtVerifier(config.jwt),
    },
    Authenticator,
  ],
  exports: [JwtVerifier, Authenticator],
})
export class AuthModule {}
