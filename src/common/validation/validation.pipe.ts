import { ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { FieldProblem, ValidationFailedError } from '../errors/app-error';

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
 * The global pipe: Nest's own ValidationPipe with class-validator and class-transformer, through
 * their public options only. Unknown fields are refused; each refusal names its fields
 * (ValidationFailedError → 400 `validation_failed`).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(toFieldProblems(errors)),
  });
}

/**
 * What the pipe does, for a route that reads its body itself (multipart): `plain` as an instance of
 * `dto`, unknown fields refused, every problem named by field (400 `validation_failed`).
 */
export async function validatedBody<T extends object>(
  dto: new () => T,
  plain: Record<string, unknown>,
): Promise<T> {
  const instance = plainToInstance(dto, plain);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new ValidationFailedError(toFieldProblems(errors));
  return instance;
}
