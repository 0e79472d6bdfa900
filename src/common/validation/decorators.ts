import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';

/** A boolean in a query string: only "true" or "false" (anything else fails validation). */
export function QueryBoolean(options: { description: string; default?: boolean }): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Boolean, description: options.description, default: options.default }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      value === 'true' ? true : value === 'false' ? false : value,
    ),
    IsBoolean({ message: '$property must be "true" or "false"' }),
  );
}

/** An optional integer in a query string within [min, max]. */
export function QueryInt(options: {
  description: string;
  min: number;
  max: number;
  default: number;
}): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: Number,
      description: options.description,
      minimum: options.min,
      maximum: options.max,
      default: options.default,
    }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value,
    ),
    IsInt({ message: '$property must be an integer' }),
    Min(options.min),
    Max(options.max),
  );
}

/** An optional string enum. */
export function OptionalEnum(values: readonly string[], description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ enum: values, description }),
    IsOptional(),
    IsIn(values as string[], { message: `$property must be one of: ${values.join(', ')}` }),
  );
}

/** 7–15 digits with an optional leading "+": a phone number as the API takes it. */
export const TELEGRAM_PHONE_PATTERN = /^\+?\d{7,15}$/;

/** A phone number for Telegram (international format, `TELEGRAM_PHONE_PATTERN`). */
export function IsTelegramPhone(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(TELEGRAM_PHONE_PATTERN, {
      message: '$property must be 7–15 digits with an optional leading "+"',
    }),
  );
}

/** A UUID id (a route parameter or a body field naming a row). */
export function IsUuidId(): PropertyDecorator {
  return IsUUID('all', { message: '$property must be a UUID' });
}
