import { STATUS_CODES } from 'node:http';

/** The documented error shape (SPEC): every 4xx/5xx body the service writes has these fields. */
export interface ErrorBody {
  status_code: number;
  error: string;
  code: string;
  message: string;
  request_id: string;
  [extra: string]: unknown;
}

export function errorBody(
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): ErrorBody {
  return {
    status_code: status,
    error: STATUS_CODES[status] ?? 'Error',
    code,
    message,
    ...extra,
    request_id: requestId,
  };
}
