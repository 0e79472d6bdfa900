import { isDeepStrictEqual } from 'node:util';
import type { HttpRequestSpec } from './autocannon';

export interface Probe {
  name: string;
  request: HttpRequestSpec;
  status: number;
  /** The two servers must answer byte-for-byte the same JSON (only for the benchmarked successes). */
  sameBody: boolean;
  check?: (body: unknown) => string | undefined;
}

/**
 * Before any load: both servers must answer every probe with the expected status, and the same
 * JSON where `sameBody` — so neither side is measured doing less (or other) work than the other.
 * Returns the problems found (empty when all is well).
 */
export async function compareServers(
  serviceUrl: string,
  rawUrl: string,
  probes: Probe[],
  serviceLabel = 'service',
): Promise<string[]> {
  const problems: string[] = [];
  for (const probe of probes) {
    const [service, raw] = await Promise.all([call(serviceUrl, probe.request), call(rawUrl, probe.request)]);
    for (const [label, answer] of [
      [serviceLabel, service],
      ['raw', raw],
    ] as const) {
      if (answer.status !== probe.status) {
        problems.push(`${probe.name}: ${label} answered ${answer.status}, expected ${probe.status}`);
      }
      const problem = probe.check?.(answer.body);
      if (problem) problems.push(`${probe.name}: ${label}: ${problem}`);
    }
    if (probe.sameBody && !isDeepStrictEqual(service.body, raw.body)) {
      problems.push(
        `${probe.name}: bodies differ\n  ${serviceLabel}: ${JSON.stringify(service.body).slice(0, 300)}\n  raw:     ${JSON.stringify(raw.body).slice(0, 300)}`,
      );
    }
  }
  return problems;
}

async function call(baseUrl: string, request: HttpRequestSpec): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: compare the text
  }
  return { status: response.status, body };
}
