import { ValidationError, ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { ClassConstructor, ClassTransformOptions } from 'class-transformer';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { FieldProblem, ValidationFailedError } from '../errors/app-error';
import { cacheValidationMetadata } from './metadata-cache';
import { PlainInstanceBuilder } from './plain-instance';
import { isPlainJson } from './plain-json';
import { ValidEntityCheck } from './valid-entity';

/** Flattens class-validator errors into one problem per field, with dotted paths for nested fields. */
export function toFieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      problems.push({
        field,
        message: message.replace(/^property (\S+) should not exist$/, '$1 is not allowed'),
      });
    }
    if (error.children?.length) problems.push(...toFieldProblems(error.children, field));
  }
  return problems;
}

/**
 * Nest's ValidationPipe with class-validator's synchronous `validateSync`: no DTO here declares an
 * async constraint, so the errors are the same, without the promises `validate()` makes per
 * property (each one pays async-hook propagation for the request's logging context).
 */
class SyncValidationPipe extends ValidationPipe {
  protected override validate(object: object, validatorOptions?: ValidatorOptions): ValidationError[] {
    return validateSync(object, validatorOptions);
  }
}

/**
 * The global pipe. Nest hands a global pipe every parameter, the user of `@CurrentUser()` too;
 * ValidationPipe leaves such custom parameters as they are (`validateCustomDecorators` is off), but
 * only after an async call of its own. Answered here without one: each authenticated request makes
 * fewer promises (and pays the async hooks of the request context for fewer).
 *
 * A body, query or params object of plain JSON (no prototype keys, which ValidationPipe would strip
 * first) takes the short way: the instance ValidationPipe would build (PlainInstanceBuilder:
 * class-transformer's `plainToInstance` with the pipe's options, or the same copy made directly)
 * and, when ValidEntityCheck finds it surely valid, that instance. Anything else, and every instance
 * that may not pass, goes through ValidationPipe, so what a refusal says is always class-validator's.
 */
export class AppValidationPipe implements PipeTransform {
  private readonly check = new ValidEntityCheck();
  private readonly instances: PlainInstanceBuilder;

  constructor(
    private readonly validation: ValidationPipe,
    transformOptions: ClassTransformOptions,
  ) {
    this.instances = new PlainInstanceBuilder(transformOptions);
  }

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const { metatype } = metadata;
    if (typeof metatype === 'function' && isPlainJson(value)) {
      const entity = this.instances.build(metatype as ClassConstructor<object>, value);
      if (entity.constructor === metatype && this.check.passes(entity)) return entity;
    }
    return this.validation.transform(value, metadata);
  }
}

export function createValidationPipe(): AppValidationPipe {
  cacheValidationMetadata();
  const transformOptions: ClassTransformOptions = { enableImplicitConversion: false };
  const validation = new SyncValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(toFieldProblems(errors)),
  });
  return new AppValidationPipe(validation, transformOptions);
}
