import 'reflect-metadata';
import { createHook } from 'node:async_hooks';
import { Readable } from 'node:stream';
import {
  BadRequestException,
  Body,
  Catch,
  Controller,
  Get,
  Header,
  HttpCode,
  Injectable,
  Module,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Res,
  StreamableFile,
  UnauthorizedException,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
  createParamDecorator,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsInt, IsString, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, of, type Observable } from 'rxjs';
import { installLeanRoutes } from './install-lean-routes';

class ItemDto {
  @IsString() name!: string;
  @IsInt() @Min(1) count!: number;
}

/** Lets a request through per its `x-guard` header: yes, no, async-yes, async-no, observable, throw. */
@Injectable()
class HeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // The context is the route's: class and handler are there, as guards read metadata from them.
    const owner = `${context.getClass().name}.${context.getHandler().name}`;
    (request as FastifyRequest & { guardSaw?: string }).guardSaw = owner;
    switch (request.headers['x-guard']) {
      case 'no':
        return false;
      case 'async-yes':
        return Promise.resolve(true);
      case 'async-no':
        return Promise.resolve(false);
      case 'observable':
        return of(true);
      case 'throw':
        throw new UnauthorizedException('no token');
      case 'async-throw':
        return Promise.reject(new UnauthorizedException('late no'));
      default:
        return true;
    }
  }
}

/** Async pipe: doubles a number a tick later. */
@Injectable()
class LaterDoublePipe implements PipeTransform {
  async transform(value: unknown): Promise<unknown> {
    await new Promise((resolve) => setImmediate(resolve));
    if (value === 'bad') throw new BadRequestException('bad later');
    return typeof value === 'number' ? value * 2 : value;
  }
}

const GuardSaw = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    (context.switchToHttp().getRequest<FastifyRequest & { guardSaw?: string }>().guardSaw ??
      'none') as string,
);

@Catch(BadRequestException)
class TeapotFilter implements ExceptionFilter {
  catch(error: BadRequestException, host: ArgumentsHost): void {
    void host.switchToHttp().getResponse<FastifyReply>().status(418).send({ teapot: error.message });
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value: unknown) => ({ wrapped: value })));
  }
}

@Controller('probe')
@UseGuards(HeaderGuard)
class ProbeController {
  @Get('sync')
  sync(@GuardSaw() saw: string): unknown {
    return { kind: 'sync', saw };
  }

  @Get('async')
  async later(@Query('n') n?: string): Promise<unknown> {
    await new Promise((resolve) => setImmediate(resolve));
    return { kind: 'async', n: n ?? null };
  }

  @Get('observable')
  observable(): Observable<unknown> {
    return of({ kind: 'observable' });
  }

  @Get('text')
  text(): string {
    return 'plain words';
  }

  @Get('nothing')
  nothing(): void {
    return undefined;
  }

  @Post('items')
  @HttpCode(202)
  @Header('x-probe', 'items')
  create(@Body() body: ItemDto): unknown {
    return { created: body, isDto: body instanceof ItemDto };
  }

  @Get('items/:id')
  one(@Param('id', ParseIntPipe) id: number, @Query('q', LaterDoublePipe) q?: string): unknown {
    return { id, q: q ?? null };
  }

  @Get('later/:n')
  laterPipe(@Param('n', ParseIntPipe, LaterDoublePipe) n: number): unknown {
    return { n };
  }

  @Get('later-bad/:v')
  laterBad(@Param('v', LaterDoublePipe) v: string): unknown {
    return { v };
  }

  @Get('throws')
  throws(): never {
    throw new UnauthorizedException('handler says no');
  }

  @Get('crashes')
  crashes(): never {
    throw new Error('plain crash');
  }

  @Get('rejects')
  async rejects(): Promise<never> {
    await Promise.resolve();
    throw new BadRequestException('async no');
  }

  @Get('filtered/:n')
  @UseFilters(TeapotFilter)
  filtered(@Param('n', ParseIntPipe) n: number): unknown {
    return { n };
  }

  @Get('passthrough')
  passthrough(@Res({ passthrough: true }) reply: FastifyReply): unknown {
    void reply.status(207).header('x-passthrough', 'yes');
    return { passthrough: true };
  }

  @Get('raw')
  raw(@Res() reply: FastifyReply): void {
    void reply.status(203).send({ raw: true });
  }

  @Get('intercepted')
  @UseInterceptors(WrapInterceptor)
  intercepted(): unknown {
    return { inner: 1 };
  }

  @Get('file')
  file(): StreamableFile {
    return new StreamableFile(Readable.from([Buffer.from('file bytes')]), { type: 'text/plain' });
  }

  @Post('validated')
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
  validated(@Body() body: ItemDto): unknown {
    return { count: body.count };
  }
}

@Module({ controllers: [ProbeController], providers: [HeaderGuard] })
class ProbeModule {}

interface Probe {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}

const PROBES: Probe[] = [
  { method: 'GET', url: '/probe/sync' },
  ...['no', 'async-yes', 'async-no', 'observable', 'throw', 'async-throw'].map((guard): Probe => ({
    method: 'GET',
    url: '/probe/sync',
    headers: { 'x-guard': guard },
  })),
  { method: 'GET', url: '/probe/async?n=4' },
  { method: 'GET', url: '/probe/async', headers: { 'x-guard': 'async-yes' } },
  { method: 'GET', url: '/probe/observable' },
  { method: 'GET', url: '/probe/text' },
  { method: 'GET', url: '/probe/nothing' },
  { method: 'POST', url: '/probe/items', payload: { name: 'a', count: 2 } },
  { method: 'POST', url: '/probe/items', payload: { name: 'a', count: 0 } },
  { method: 'GET', url: '/probe/items/12' },
  { method: 'GET', url: '/probe/items/12?q=x' },
  { method: 'GET', url: '/probe/items/abc' },
  { method: 'GET', url: '/probe/later/21' },
  { method: 'GET', url: '/probe/later/x' },
  { method: 'GET', url: '/probe/later-bad/bad' },
  { method: 'GET', url: '/probe/throws' },
  { method: 'GET', url: '/probe/crashes' },
  { method: 'GET', url: '/probe/rejects' },
  { method: 'GET', url: '/probe/filtered/3' },
  { method: 'GET', url: '/probe/filtered/x' },
  { method: 'GET', url: '/probe/passthrough' },
  { method: 'GET', url: '/probe/raw' },
  { method: 'GET', url: '/probe/intercepted' },
  { method: 'GET', url: '/probe/intercepted', headers: { 'x-guard': 'no' } },
  { method: 'GET', url: '/probe/file' },
  { method: 'POST', url: '/probe/validated', payload: { name: 'b', count: 5 } },
  { method: 'POST', url: '/probe/validated', payload: { name: 'b', count: 5, extra: true } },
  { method: 'POST', url: '/probe/validated', payload: { count: 'x' } },
];

async function boot(lean: boolean): Promise<{ app: NestFastifyApplication; leanRoutes: number }> {
  const app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), {
    logger: false,
  });
  const count = lean ? installLeanRoutes(app) : () => 0;
  app.useGlobalPipes(new ValidationPipe({ transform: true }));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, leanRoutes: count() };
}

async function answer(app: NestFastifyApplication, probe: Probe) {
  const res = await app.inject({
    method: probe.method,
    url: probe.url,
    headers: probe.headers,
    payload: probe.payload as never,
  });
  const { date: _date, ...headers } = res.headers;
  return { status: res.statusCode, headers, body: res.body };
}

describe('lean route handler (installLeanRoutes)', () => {
  let nest: NestFastifyApplication;
  let lean: NestFastifyApplication;
  let leanRoutes = 0;

  beforeAll(async () => {
    nest = (await boot(false)).app;
    ({ app: lean, leanRoutes } = await boot(true));
  });

  afterAll(async () => {
    await Promise.all([nest?.close(), lean?.close()]);
  });

  it("makes every route lean but those with @Res() or an interceptor, which keep Nest's handler", () => {
    // 18 routes on the controller: `raw` (@Res()) and `intercepted` are left to Nest.
    expect(leanRoutes).toBe(16);
  });

  it.each(
    PROBES.map((probe) => [
      `${probe.method} ${probe.url} ${JSON.stringify(probe.headers ?? {})} ${JSON.stringify(probe.payload ?? '')}`,
      probe,
    ]),
  )('answers %s exactly as Nest does (status, headers, body)', async (_name, probe) => {
    const [expected, actual] = await Promise.all([
      answer(nest, probe as Probe),
      answer(lean, probe as Probe),
    ]);
    expect(actual).toStrictEqual(expected);
  });

  it('covers every answer class: 2xx of each kind, 400, 401, 403, 418 from a filter and 500', async () => {
    const statuses = new Set(
      (await Promise.all(PROBES.map((probe) => answer(lean, probe)))).map((a) => a.status),
    );
    expect([...statuses].sort()).toEqual([200, 201, 202, 203, 207, 400, 401, 403, 418, 500]);
  });

  it('makes no promise of its own for a route whose steps all answer synchronously', async () => {
    const promisesDuring = async (app: NestFastifyApplication) => {
      await answer(app, { method: 'GET', url: '/probe/sync' });
      let promises = 0;
      const hook = createHook({
        init(_id, type) {
          if (type === 'PROMISE') promises += 1;
        },
      }).enable();
      await answer(app, { method: 'GET', url: '/probe/sync' });
      hook.disable();
      return promises;
    };
    const [withNest, withLean] = [await promisesDuring(nest), await promisesDuring(lean)];
    // What is left is the injection's own (light-my-request); Nest's chain adds ~18 per request.
    expect(withNest - withLean).toBeGreaterThanOrEqual(12);
  });
});
