import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';

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

/** A Telegram bot token as BotFather issues it: the bot id, a colon, 35 characters. */
export const TELEGRAM_BOT_TOKEN_PATTERN = /^\d{5,12}:[A-Za-z0-9_-]{35}$/;

/** A bot token's shape (never echoes the value in the error). */
export function IsTelegramBotToken(): PropertyDecorator {
  return applyDecorators(
    IsString({ message: '$property must be a string' }),
    Matches(TELEGRAM_BOT_TOKEN_PATTERN, {
      message: '$property must look like 123456789:AAH… (digits, a colon, 35 letters, digits, _ or -)',
    }),
  );
}

/** Largest `settings` object accepted, serialized as JSON. */
export const SETTINGS_MAX_BYTES = 16 * 1024;
const SETTINGS_MAX_DEPTH = 5;

function jsonDepth(value: unknown, depth = 0): number {
  if (value === null || typeof value !== 'object') return depth;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return children.reduce<number>((max, child) => Math.max(max, jsonDepth(child, depth + 1)), depth + 1);
}

/** A JSON object (not an array or null) of at most SETTINGS_MAX_BYTES, nested at most 5 levels. */
export function IsSettingsObject(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      additionalProperties: true,
      description: `Free-form settings: a JSON object, at most ${SETTINGS_MAX_BYTES} bytes, ${SETTINGS_MAX_DEPTH} levels`,
      example: { signature: '— Content Factory', silent: false },
    }),
    ValidateBy({
      name: 'isSettingsObject',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Buffer.byteLength(JSON.stringify(value)) <= SETTINGS_MAX_BYTES &&
          jsonDepth(value) <= SETTINGS_MAX_DEPTH,
        defaultMessage: () =>
          `$property must be a JSON object of at most ${SETTINGS_MAX_BYTES} bytes and ${SETTINGS_MAX_DEPTH} levels`,
      },
    }),
  );
}
