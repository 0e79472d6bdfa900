import type { FastifyRequest } from 'fastify';
import { AppError, BadRequestError } from '../../common/errors/app-error';
import { readMultipartForm } from '../../common/http/multipart-form';
import { validatedBody } from '../../common/validation/validation.pipe';
import { ImportSessionDto } from './session-import.dto';
import type { SessionFormat } from './session-import-formats';

class SessionFileTooLargeError extends AppError {
  readonly kind = 'too_large';
  readonly code = 'payload_too_large';
  constructor() {
    super('The session file is larger than this service accepts');
  }
}

/**
 * An import request: JSON `{format, session}`, or multipart/form-data with a `format` field and the
 * session (a tdata zip, usually) as the file part `session`.
 */
export async function readImportInput(
  request: FastifyRequest,
): Promise<{ format: SessionFormat; session: string | Buffer }> {
  if (request.isMultipart()) {
    const form = await readMultipartForm(request, {
      fileField: 'session',
      purpose: 'import',
      tooLarge: () => new SessionFileTooLargeError(),
    });
    const unknown = Object.keys(form.fields).filter((name) => name !== 'format');
    if (unknown.length)
      throw new BadRequestError('validation_failed', `Unknown fields: ${unknown.join(', ')}`);
    const dto = await validated({ format: form.fields.format, session: 'file' });
    return { format: dto.format, session: form.file.content };
  }
  const dto = await validated(request.body);
  return { format: dto.format, session: dto.session };
}

async function validated(body: unknown): Promise<ImportSessionDto> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequestError('validation_failed', 'The body must be a JSON object');
  return validatedBody(ImportSessionDto, body as Record<string, unknown>);
}
