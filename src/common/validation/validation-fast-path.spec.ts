import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsOptional,
  IsString,
  Validate,
  ValidateIf,
  ValidatorConstraint,
} from 'class-validator';
import '../../logs/logs.dto';
import '../../telegram/accounts/accounts.dto';
import '../../telegram/bots/bots.dto';
import '../../telegram/channels/bot-chat.dto';
import '../../telegram/channels/channels.dto';
import '../../telegram/emulator/http/emulator-control.dto';
import '../../telegram/emulator/http/emulator-faults.controller';
import '../../telegram/emulator/http/message-control.dto';
import '../../telegram/messages/messages.dto';
import '../../telegram/messages/send-input';
import { ValidationFailedError } from '../errors/app-error';
import { PlainInstanceBuilder } from './plain-instance';
import { isPlainJson } from './plain-json';
import { createValidationPipe, toFieldProblems } from './validation.pipe';

/** Nest's stock ValidationPipe with the service's options: the reference the short way must match. */
const reference = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new ValidationFailedError(toFieldProblems(errors)),
});

type Outcome = { ok: true; value: unknown } | { ok: false; problems: unknown };

/** What the pipe answered: the value (toStrictEqual also compares its class) or the field problems. */
async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (!(error instanceof ValidationFailedError)) throw error;
    return { ok: false, problems: error.problems };
  }
}

/** A copy as a JSON body arrives (structuredClone's objects come from another realm under Jest). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLES: unknown[] = [
  '',
  'x',
  '+15551234567',
  '15551234567',
  '12345',
  '1234',
  'true',
  'false',
  '0',
  '50',
  '-3',
  '1001',
  'a'.repeat(300),
  '123456:ABCdefGhIJKlmnOPQrstUVwxyz0123456789',
  '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  'not-a-uuid',
  'markdown',
  'html',
  'phone',
  'qr',
  'connected',
  'text',
  0,
  1,
  -1,
  2.5,
  100,
  100000,
  true,
  false,
  null,
  [],
  ['a'],
  [1, 2],
  {},
  { a: 1 },
  { nested: { deep: [1, 'x', null] } },
  { toString: 'x', valueOf: 1, kept: true },
  [{ hasOwnProperty: 'x' }, [[]]],
];

function bodies(properties: string[], next: () => number, count: number): Record<string, unknown>[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const made: Record<string, unknown>[] = [{}];
  for (let i = 0; i < count; i++) {
    const body: Record<string, unknown> = {};
    for (const property of properties) if (next() < 0.6) body[property] = pick(SAMPLES);
    if (next() < 0.1) body[pick(['admin', 'extra', 'constructor', 'toString'])] = pick(SAMPLES);
    made.push(body);
  }
  return made;
}

describe('the validation pipe’s short way', () => {
  const pipe = createValidationPipe();

  it('answers exactly as Nest’s ValidationPipe for every DTO of the service, on generated values', async () => {
    const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, unknown[]> };
    const classes = [...storage.validationMetadatas.keys()].filter(
      (target): target is new () => object => typeof target === 'function',
    );
    expect(classes.length).toBeGreaterThan(15);
    const next = random(20261202);
    let short = 0;
    let compared = 0;
    let accepted = 0;
    for (const metatype of classes) {
      const properties = getMetadataStorage()
        .getTargetValidationMetadatas(metatype, '', false, false)
        .map((m) => m.propertyName);
      for (const type of ['body', 'query'] as const) {
        const metadata: ArgumentMetadata = { type, metatype, data: undefined };
        for (const body of bodies([...new Set(properties)], next, 150)) {
          const mine = pipe.transform(copy(body), metadata);
          const direct = !(mine instanceof Promise);
          const [got, want] = [
            await outcome(() => mine),
            await outcome(() => reference.transform(copy(body), metadata)),
          ];
          expect({ metatype: metatype.name, body, outcome: got }).toStrictEqual({
            metatype: metatype.name,
            body,
            outcome: want,
          });
          compared++;
          // A `constructor` key is one ValidationPipe strips first: left to it.
          if (want.ok && !Object.hasOwn(body, 'constructor')) accepted++;
          if (direct) short++;
          // Only a value that passes may take the short way.
          if (direct) expect(want.ok).toBe(true);
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
    // Every DTO of the service has rules the short way checks: each value that passes takes it.
    expect(accepted).toBeGreaterThan(100);
    expect(short).toBe(accepted);
  });

  it('leaves values ValidationPipe would prepare, and classes with rules it does not check, to ValidationPipe', async () => {
    expect(isPlainJson({ a: [1, { b: 'c' }] })).toBe(true);
    expect(isPlainJson(Object.assign(Object.create(null), { a: '1' }))).toBe(true);
    expect(isPlainJson({ a: { constructor: 'x' } })).toBe(false);
    expect(isPlainJson(JSON.parse('{"__proto__": {"admin": true}}'))).toBe(false);
    // eslint-disable-next-line no-sparse-arrays
    expect(isPlainJson({ a: [1, , 2] })).toBe(false);
    expect(isPlainJson({ a: Buffer.from('x') })).toBe(false);
    expect(isPlainJson({ a: new Date() })).toBe(false);
    expect(isPlainJson('x')).toBe(false);
    expect(isPlainJson([{}])).toBe(false);

    @ValidatorConstraint({ name: 'later', async: true })
    class Later {
      validate(): Promise<boolean> {
        return Promise.resolve(false);
      }
    }
    class WithAsync {
      @IsString() @Validate(Later) name!: string;
    }
    // validateSync skips an async constraint; so does the short way.
    const kept = pipe.transform({ name: 'n' }, { type: 'body', metatype: WithAsync, data: undefined });
    expect(kept).toBeInstanceOf(WithAsync);

    class Conditional {
      @IsOptional() @IsString() a?: string;
      @ValidateIf((o: Conditional) => o.a === 'needs-b') @IsString() b?: string;
    }
    const meta: ArgumentMetadata = { type: 'body', metatype: Conditional, data: undefined };
    expect(pipe.transform({ a: 'x' }, meta)).toEqual({ a: 'x' });
    const refused = pipe.transform({ a: 'needs-b' }, meta);
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toBeInstanceOf(ValidationFailedError);
  });

  it('builds the instance class-transformer builds, copying directly only for an undecorated class', () => {
    class Base {
      method(): string {
        return 'm';
      }
    }
    class Undecorated extends Base {
      name?: string;
      get computed(): string {
        return 'c';
      }
    }
    class Decorated {
      @Transform(({ value }: { value: unknown }) => String(value).toUpperCase()) name?: string;
    }
    const builder = new PlainInstanceBuilder({ enableImplicitConversion: false });
    const value = copy({
      name: 'n',
      method: 'not copied',
      computed: 'not copied either',
      nested: { list: [1, { toString: 'dropped', keep: 'k' }], valueOf: 2 },
    });
    for (const metatype of [Undecorated, Decorated]) {
      const built = builder.build(metatype, value);
      expect(built).toStrictEqual(plainToInstance(metatype, value, { enableImplicitConversion: false }));
      expect(built).toBeInstanceOf(metatype);
    }
    expect((builder.build(Decorated, value) as Decorated).name).toBe('N');
    expect(Object.keys(builder.build(Undecorated, value))).toEqual(['name', 'nested']);
  });
});
