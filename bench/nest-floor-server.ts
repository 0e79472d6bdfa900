import { AsyncLocalStorage } from 'node:async_hooks';
import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Post,
  UnauthorizedException,
  UseGuards,
  ValidationPipe,
  createParamDecorator,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { BenchEchoDto } from './echo.module';
import { accountsJson, baselinePool, userIdFrom, type SessionRow } from './lib/baseline';
import { echoResponse, type EchoResponse } from './lib/echo';
import { serveChild, type RawStartMessage } from './lib/protocol';

/**
 * The floor: bare NestJS on Fastify doing the baselines' work with stock parts — a guard with the
 * same token rules, a custom parameter decorator for the user, Nest's own ValidationPipe
 * (class-validator, whitelist + forbidNonWhitelisted + transform, as the service) and the same query
 * on a pool of the same size, and the same request context as the service (each request runs in
 * an AsyncLocalStorage holding its request id, entered by an onRequest hook). No logger, metrics,
 * CORS or error table: what NestJS itself costs over raw Fastify, measured in the same run as the
 * service, so service/floor is what the service's own hooks, guards and logging add.
 */
const requestContext = new AsyncLocalStorage<{ request_id: string }>();
const SETTINGS = Symbol('settings');
const POOL = Symbol('pool');
const KEY = Symbol('jwt key');

type WithUser = FastifyRequest & { userId?: number };

@Injectable()
class FloorGuard implements CanActivate {
  constructor(@Inject(KEY) private readonly key: string | KeyObject) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WithUser>();
    const userId = userIdFrom(request.headers.authorization, this.key);
    if (userId === undefined) throw new UnauthorizedException();
    request.userId = userId;
    return true;
  }
}

const UserId = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<WithUser>().userId,
);

@Controller()
class FloorController {
  constructor(
    @Inject(SETTINGS) private readonly settings: RawStartMessage,
    @Inject(POOL) private readonly pool: Pool,
  ) {}

  @Get('health')
  health(): RawStartMessage['health'] {
    return this.settings.health;
  }

  @Get('api/v1/telegram/accounts')
  @UseGuards(FloorGuard)
  async accounts(@UserId() userId: number): Promise<ReturnType<typeof accountsJson>> {
    const { rows } = await this.pool.query<SessionRow>(this.settings.accountsSql, [userId]);
    return accountsJson(rows);
  }

  @Post('api/v1/bench/echo')
  @HttpCode(200)
  @UseGuards(FloorGuard)
  echo(@UserId() userId: number, @Body() body: BenchEchoDto): EchoResponse {
    return echoResponse(userId, body);
  }
}

@Module({})
class FloorModule {
  static forRoot(settings: RawStartMessage, pool: Pool): DynamicModule {
    const key =
      settings.jwtKey === 'keyobject' ? createSecretKey(Buffer.from(settings.jwtSecret)) : settings.jwtSecret;
    return {
      module: FloorModule,
      controllers: [FloorController],
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: POOL, useValue: pool },
        { provide: KEY, useValue: key },
        FloorGuard,
      ],
    };
  }
}

serveChild<RawStartMessage>(async (settings) => {
  const pool = baselinePool(settings, 'integration-bench-floor');
  const app = await NestFactory.create<NestFastifyApplication>(
    FloorModule.forRoot(settings, pool),
    new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
    { logger: false },
  );
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, _reply, done) =>
      requestContext.run({ request_id: String(request.id) }, done),
    );
  await app.listen({ port: 0, host: '127.0.0.1' });
  await pool.query('SELECT 1');
  const address = app.getHttpServer().address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    fastifyVersion: app.getHttpAdapter().getInstance().version,
    stop: async () => {
      await app.close();
      await pool.end();
    },
  };
});
