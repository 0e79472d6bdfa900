import { createHash } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError, BadRequestError, ValidationFailedError } from '../../common/errors/app-error';
import { assertStorable } from '../../common/http/storable-text';
import { toFieldProblems } from '../../common/validation/validation.pipe';
import { SendMessageDto } from './messages.dto';
import { FileTooLargeError } from './messages.errors';

export interface SendFile {
  fileName: string;
  mimeType: string;
  content: Buffer;
}

export interface SendInput {
  dto: SendMessageDto;
  file?: SendFile;
  /** sha256 of the request (fields and file): what an Idempotency-Key is bound to. */
  hash: string;
}

const BOOLEAN_FIELDS = new Set(['silent', 'disable_link_preview']);
const INTEGER_FIELDS = new Set(['reply_to']);

/** A multipart field as the JSON body would carry it ("true" → true, "12" → 12 for the typed ones). */
function typed(name: string, value: string): unknown {
  if (BOOLEAN_FIELDS.has(name)) return value === 'true' ? true : value === 'false' ? false : value;
  if (INTEGER_FIELDS.has(name) && /^\d{1,15}$/.test(value)) return Number(value);
  return value;
}

/** Reads a multipart send: its fields and exactly one `file` part, within SEND_MEDIA_MAX_BYTES. */
async function readMultipart(request: FastifyRequest, maxBytes: number) {
  const fields: Record<string, unknown> = {};
  let file: SendFile | undefined;
  const errors = request.server.multipartErrors;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file) {
          throw new BadRequestError('validation_failed', 'Send exactly one file, in the part named `file`');
        }
        assertStorable([{ file_name: part.filename, mime_type: part.mimetype }, 'file']);
        const content = await part.toBuffer();
        file = { fileName: (part.filename || 'file').slice(0, 255), mimeType: part.mimetype, content };
      } else if (typeof part.value === 'string') {
        assertStorable([{ [part.fieldname]: part.value }]);
        if (part.fieldname in fields) {
          throw new BadRequestError('validation_failed', `The field ${part.fieldname} is given twice`);
        }
        fields[part.fieldname] = typed(part.fieldname, part.value);
      }
    }
  } catch (error) {
    if (error instanceof errors.RequestFileTooLargeError) throw new FileTooLargeError(maxBytes);
    if (
      error instanceof errors.FilesLimitError ||
      error instanceof errors.FieldsLimitError ||
      error instanceof errors.PartsLimitError
    ) {
      throw new BadRequestError('validation_failed', 'Too many parts: send the fields and one `file` part');
    }
    if (error instanceof errors.InvalidMultipartContentTypeError) {
      throw new BadRequestError('validation_failed', 'The multipart body is malformed');
    }
    if (error instanceof AppError) throw error;
    // Anything else the parser says (no boundary, a body cut short, a malformed part header) is about
    // the body it was given: a 400, never a 500.
    throw new BadRequestError(
      'multipart_malformed',
      'The multipart body is malformed or incomplete (boundary missing, part headers invalid, or the body ends early)',
    );
  }
  if (!file)
    throw new ValidationFailedError([{ field: 'file', message: 'file is required in a multipart send' }]);
  return { fields, file };
}

/** The validated send request, JSON or multipart, with the hash an Idempotency-Key is bound to. */
export async function readSendInput(request: FastifyRequest, maxBytes: number): Promise<SendInput> {
  const multipart = request.isMultipart();
  const { fields, file } = multipart
    ? await readMultipart(request, maxBytes)
    : { fields: (request.body ?? {}) as Record<string, unknown>, file: undefined };
  if (typeof fields !== 'object' || Array.isArray(fields)) {
    throw new BadRequestError('validation_failed', 'The body must be a JSON object');
  }
  const dto = plainToInstance(SendMessageDto, fields);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new ValidationFailedError(toFieldProblems(errors));
  const hash = createHash('sha256')
    .update(JSON.stringify(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))))
    .update(
      file ? createHash('sha256').update(file.content).digest('hex') + file.fileName + file.mimeType : '',
    )
    .digest('hex');
  return { dto, file, hash };
}
