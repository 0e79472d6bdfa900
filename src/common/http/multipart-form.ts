import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError, BadRequestError, ValidationFailedError } from '../errors/app-error';
import { assertStorable } from './storable-text';

export interface FormFile {
  fileName: string;
  mimeType: string;
  content: Buffer;
}

/**
 * Reads a multipart/form-data body: its text fields (each once) and exactly one file, in the part
 * named `fileField` (its absence said in terms of the request's `purpose`). Whatever the parser says about the body is a 400 (never a 500); a file over the
 * route's limit is `tooLarge()`.
 */
export async function readMultipartForm(
  request: FastifyRequest,
  form: { fileField: string; purpose: string; tooLarge: () => AppError },
): Promise<{ fields: Record<string, string>; file: FormFile }> {
  const fields: Record<string, string> = {};
  let file: FormFile | undefined;
  const { fileField, tooLarge } = form;
  const errors = request.server.multipartErrors;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== fileField || file) {
          throw new BadRequestError(
            'validation_failed',
            `Send exactly one file, in the part named \`${fileField}\``,
          );
        }
        assertStorable([{ file_name: part.filename, mime_type: part.mimetype }, 'file']);
        const content = await part.toBuffer();
        file = { fileName: (part.filename || 'file').slice(0, 255), mimeType: part.mimetype, content };
      } else if (typeof part.value === 'string') {
        assertStorable([{ [part.fieldname]: part.value }]);
        if (part.fieldname in fields) {
          throw new BadRequestError('validation_failed', `The field ${part.fieldname} is given twice`);
        }
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if (error instanceof errors.RequestFileTooLargeError) throw tooLarge();
    if (
      error instanceof errors.FilesLimitError ||
      error instanceof errors.FieldsLimitError ||
      error instanceof errors.PartsLimitError
    ) {
      throw new BadRequestError(
        'validation_failed',
        `Too many parts: send the fields and one \`${fileField}\` part`,
      );
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
    throw new ValidationFailedError([
      { field: fileField, message: `${fileField} is required in a multipart ${form.purpose}` },
    ]);
  return { fields, file };
}
