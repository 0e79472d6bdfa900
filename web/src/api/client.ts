/** The one place the console talks HTTP to the service: bearer token, JSON, the API's error shape. */

export interface ApiErrorBody {
  status_code?: number;
  error?: string;
  code?: string;
  message?: string;
  request_id?: string;
  retry_after?: number;
  errors?: { field?: string; property?: string; message?: string; messages?: string[] }[];
  reason?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | undefined,
    readonly body: ApiErrorBody,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type UnauthorizedListener = (reason: string) => void;

let token: string | null = null;
let onUnauthorized: UnauthorizedListener = () => undefined;

export function setApiToken(value: string | null): void {
  token = value;
}

export function onApiUnauthorized(listener: UnauthorizedListener): void {
  onUnauthorized = listener;
}

export interface RequestOptions {
  body?: unknown;
  /** A FormData body (multipart); sent as is. */
  form?: FormData;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Send without the bearer token (public routes). */
  anonymous?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function retryAfterOf(response: Response, body: ApiErrorBody): number | undefined {
  if (typeof body.retry_after === 'number') return body.retry_after;
  const header = response.headers.get('retry-after');
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) ? seconds : undefined;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (!options.anonymous && token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), { method, headers, body, signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'The service did not answer', undefined, {});
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: answered below as the status alone
  }
  if (response.ok) return parsed as T;
  const errorBody: ApiErrorBody = parsed && typeof parsed === 'object' ? (parsed as ApiErrorBody) : {};
  const error = new ApiError(
    response.status,
    errorBody.code ?? `http_${response.status}`,
    errorBody.message ?? response.statusText,
    retryAfterOf(response, errorBody),
    errorBody,
  );
  if (response.status === 401 && !options.anonymous) onUnauthorized(error.message);
  throw error;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};
