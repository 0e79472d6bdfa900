import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BadRequestError } from '../../common/errors/app-error';
import { readMultipartForm, type FormFile } from '../../common/http/multipart-form';
import { validatedBody } from '../../common/validation/validation.pipe';
import { SendMessageDto } from './messages.dto';
import { FileTooLargeError } from './messages.errors';

export type SendFile = FormFile;

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

/** Reads a multipart send: its fields (typed as JSON would carry them) and one `file` part, within SEND_MEDIA_MAX_BYTES. */
async function readMultipart(request: FastifyRequest, maxBytes: number) {
  const form = await readMultipartForm(request, {
    fileField: 'file',
    purpose: 'send',
    tooLarge: () => new FileTooLargeError(maxBytes),
  });
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(form.fields)) fields[name] = typed(name, value);
  return { fields, file: form.file };
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
  const dto = await validatedBody(SendMessageDto, fields);
  const hash = createHash('sha256')
    .update(JSON.stringify(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))))
    .update(
      file ? createHash('sha256').update(file.content).digest('hex') + file.fileName + file.mimeType : '',
    )
    .digest('hex');
  return { dto, file, hash };
}
