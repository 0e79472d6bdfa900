import jwt from 'jsonwebtoken';
import type { HttpRequestSpec } from './autocannon';
import type { Probe } from './checks';
import { BENCH_USER_ID } from './database';

/** A benchmarked route: the request autocannon repeats, and the service/raw ratio the issue aims for. */
export interface RouteSpec {
  key: string;
  label: string;
  request: HttpRequestSpec;
  aim?: number;
}

/** The three benchmarked routes, with the bench user's bearer token where the route needs one. */
export function routeSpecs(token: string): RouteSpec[] {
  const auth = { authorization: `Bearer ${token}` };
  return [
    // Aims (issue "Make room…", item 10): /health and the account list at 0.8× raw Fastify, the
    // validated POST at 0.6× (a bare NestJS-on-Fastify route runs at about 0.86× here).
    { key: 'health', label: 'GET /health', request: { method: 'GET', path: '/health' }, aim: 0.8 },
    {
      key: 'accounts',
      label: 'GET /api/v1/telegram/accounts',
      request: { method: 'GET', path: '/api/v1/telegram/accounts', headers: auth },
      aim: 0.8,
    },
    {
      key: 'echo',
      label: 'POST /api/v1/bench/echo',
      request: {
        method: 'POST',
        path: '/api/v1/bench/echo',
        headers: { ...auth, 'content-type': 'application/json' },
        body: echoBody(),
      },
      aim: 0.6,
    },
  ];
}

/** A valid login-shaped body (plus `extra` fields, to build invalid ones). */
function echoBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    phone: '+15551234567',
    code: '12345',
    password: 'correct horse battery staple',
    metadata: { source: 'bench', attempt: 1, client: { app: 'content-factory', version: '2.3.1' } },
    ...extra,
  });
}

/** What both servers must answer alike before any load (see compareServers). */
export function probes(token: string, expectedIds: string[]): Probe[] {
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const forged = jwt.sign({ user_id: BENCH_USER_ID }, 'another-secret-that-is-long-enough-0123456789', {
    algorithm: 'HS256',
  });
  const accounts = '/api/v1/telegram/accounts';
  const echo = '/api/v1/bench/echo';
  return [
    { name: 'GET /health', request: { method: 'GET', path: '/health' }, status: 200, sameBody: true },
    {
      name: 'GET accounts',
      request: { method: 'GET', path: accounts, headers: auth },
      status: 200,
      sameBody: true,
      check: (body) =>
        Array.isArray(body) &&
        JSON.stringify(body.map((a: { id?: unknown }) => a.id)) === JSON.stringify(expectedIds)
          ? undefined
          : `expected the ${expectedIds.length} accounts of user ${BENCH_USER_ID}, newest first`,
    },
    {
      name: 'GET accounts without token',
      request: { method: 'GET', path: accounts },
      status: 401,
      sameBody: false,
    },
    {
      name: 'GET accounts with a forged token',
      request: { method: 'GET', path: accounts, headers: { authorization: `Bearer ${forged}` } },
      status: 401,
      sameBody: false,
    },
    {
      name: 'POST echo',
      request: { method: 'POST', path: echo, headers: json, body: echoBody() },
      status: 200,
      sameBody: true,
    },
    {
      name: 'POST echo with an unknown property',
      request: { method: 'POST', path: echo, headers: json, body: echoBody({ admin: true }) },
      status: 400,
      sameBody: false,
    },
    {
      name: 'POST echo with a bad phone',
      request: { method: 'POST', path: echo, headers: json, body: echoBody({ phone: '12-34' }) },
      status: 400,
      sameBody: false,
    },
    {
      name: 'POST echo with a long password',
      request: { method: 'POST', path: echo, headers: json, body: echoBody({ password: 'x'.repeat(257) }) },
      status: 400,
      sameBody: false,
    },
    {
      name: 'POST echo without token',
      request: {
        method: 'POST',
        path: echo,
        headers: { 'content-type': 'application/json' },
        body: echoBody(),
      },
      status: 401,
      sameBody: false,
    },
  ];
}

/** The routes named by BENCH_ROUTES (comma-separated keys), all of them when it is unset. */
export function selectRoutes(routes: RouteSpec[]): RouteSpec[] {
  const wanted = process.env.BENCH_ROUTES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted?.length) return routes;
  const unknown = wanted.filter((key) => !routes.some((r) => r.key === key));
  if (unknown.length)
    throw new Error(
      `BENCH_ROUTES: unknown ${unknown.join(', ')} (known: ${routes.map((r) => r.key).join(', ')})`,
    );
  return routes.filter((r) => wanted.includes(r.key));
}
