import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../errors/error-body';

/** Router-level refusals (before any route runs), in the documented error shape. */
const ROUTER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url', message: 'The URL is not validly encoded' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', message: 'A path parameter is too long' },
};

/** Fastify's `frameworkErrors`: a malformed URL or an over-long path parameter. */
export function onFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known = ROUTER_ERRORS[error.code] ?? {
    status: 400,
    code: 'bad_request',
    message: 'The request could not be routed',
  };
  const requestId = String(request.id);
  void reply
    .status(known.status)
    .header('x-request-id', requestId)
    .send(errorBody(known.status, known.code, known.message, requestId));
}

/** Refusals by Node's HTTP parser, before Fastify sees a request: no request id exists yet, so one is made. */
const PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    message: 'The request was not received in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'request_header_fields_too_large',
    message: 'The request line or headers are too large',
  },
};

/** Fastify's `clientErrorHandler`: answers in the documented error shape, then closes the socket. */
export function onClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = PARSER_ERRORS[error.code ?? ''] ?? {
    status: 400,
    code: 'bad_request',
    message: 'The request is not valid HTTP',
  };
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody(known.status, known.code, known.message, requestId));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
