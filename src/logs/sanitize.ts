import { scrub, scrubText } from '../common/logging/redact';

export const MAX_DETAILS_BYTES = 4096;
export const MAX_ERROR_MESSAGE_CHARS = 2000;

/**
 * What may be stored in an audit row: secrets replaced and phones masked (the same rules as the
 * log lines), and a size cap so a runaway payload cannot bloat the table.
 */
export function sanitizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details) return {};
  const clean = scrub(details) as Record<string, unknown>;
  const json = JSON.stringify(clean);
  if (Buffer.byteLength(json) <= MAX_DETAILS_BYTES) return clean;
  return { truncated: true, original_bytes: Buffer.byteLength(json), preview: json.slice(0, 1024) };
}

export function sanitizeErrorMessage(message: string | null | undefined): string | null {
  if (message === undefined || message === null) return null;
  const clean = scrubText(message);
  return clean.length > MAX_ERROR_MESSAGE_CHARS ? `${clean.slice(0, MAX_ERROR_MESSAGE_CHARS)}…` : clean;
}
