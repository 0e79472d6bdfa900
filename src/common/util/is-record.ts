/** A plain JSON-style object (not null, not an array): what `JSON.parse`, JSONB and HTTP bodies give as objects. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
