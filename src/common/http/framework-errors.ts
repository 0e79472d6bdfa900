import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorKind } from '../errors/app-error';
import { httpResponseOf } from '../errors/error-http';
import { HttpRefusalError } from '../errors/foreign-errors';

type Refusal = [kind: ErrorKind, code: string, message: string];

/** Router-level refusals (before any route runs), as domain errors (the error table gives the status). */
const ROUTER_ERRORS: Record<string, Refusal> = {
  FST_ERR_BAD_URL: ['invalid', 'bad_url', 'The URL is not validly encoded'],
  FST_ERR_MAX_PARAM_LENGTH: ['uri_too_long', 'uri_too_long', 'A path parameter is too long'],
};
const ROUTER_DEFAULT: Refusal = ['invalid', 'bad_request', 'The request could not be routed'];

/** Fastify's `frameworkErrors`: a malformed URL or an over-long path parameter. */
export function onFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const requestId = String(request.id);
  const { status, headers, body } = httpResponseOf(
    new HttpRefusalError(...(ROUTER_ERRORS[error.code] ?? ROUTER_DEFAULT)),
    requestId,
  );
  void reply.status(status).headers(headers).header('x-request-id', requestId).send(body);
}

/** Refusals by Node's HTTP parser, before Fastify sees a request. */
const PARSER_ERRORS: Record<string, Refusal> = {
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 'request_timeout', 'The request was not received in time'],
  HPE_HEADER_OVERFLOW: [
    'headers_too_large',
    'request_header_fields_too_large',
    'The request line or headers are too large',
  ],
};
const PARSER_DEFAULT: Refusal = ['invalid', 'bad_request', 'The request is not valid HTTP'];

/**
 * Fastify's `clientErrorHandler`: answers in the documented error shape, then closes the socket. No
 * request (and so no request id) exists yet, so one is made for the answer.
 */
export function onClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = randomUUID();
  const { status, body } = httpResponseOf(
    new HttpRefusalError(...(PARSER_ERRORS[error.code ?? ''] ?? PARSER_DEFAULT)),
    requestId,
  );
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}
