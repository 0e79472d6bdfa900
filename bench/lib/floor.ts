import type { RunningServer } from './child';
import { compareRoute, type CompareOptions } from './compare';
import { allClean, renderColumns, type RouteResult, type TargetRun } from './report';
import type { RouteSpec } from './routes';

/** One route on the bare-NestJS floor against the raw baseline, and the service against that floor. */
export interface FloorResult {
  route: string;
  floor: TargetRun;
  raw: TargetRun;
  /** floor req/s ÷ raw req/s: what NestJS itself leaves of raw Fastify. */
  ratio: number;
  /** The service's ratio (from its own pair) ÷ the floor's: the share of the floor the service keeps. */
  serviceOfFloor: number;
  /** See allClean. */
  clean: boolean;
}

/** Measures every route on the floor and the raw server, like the service pair (A B B A slices). */
export async function measureFloor(
  routes: RouteSpec[],
  servers: [RunningServer, RunningServer],
  serviceResults: RouteResult[],
  options: CompareOptions,
): Promise<FloorResult[]> {
  const results: FloorResult[] = [];
  for (const route of routes) {
    process.stdout.write(`measuring ${route.label} on the NestJS floor ...`);
    const [floor, raw] = await compareRoute(route.key, route.request, servers, options);
    const ratio = raw.requestsPerSecond > 0 ? floor.requestsPerSecond / raw.requestsPerSecond : 0;
    const service = serviceResults.find((r) => r.route === route.label);
    results.push({
      route: route.label,
      floor,
      raw,
      ratio,
      serviceOfFloor: service && ratio > 0 ? service.ratio / ratio : 0,
      clean: allClean([floor, raw]),
    });
    process.stdout.write(` ${ratio.toFixed(2)}×\n`);
  }
  return results;
}

/** route | floor req/s | raw req/s | floor/raw | floor CPU µs/request | service/raw ÷ floor/raw */
export function formatFloorTable(results: FloorResult[]): string {
  const header = [
    'NestJS floor',
    'floor req/s',
    'raw req/s',
    'floor/raw',
    'floor CPU',
    'raw CPU',
    'service of floor',
  ];
  const rows = results.map((r) => [
    r.route,
    r.floor.requestsPerSecond.toFixed(1),
    r.raw.requestsPerSecond.toFixed(1),
    r.clean ? `${r.ratio.toFixed(2)}×` : 'INVALID',
    `${Math.round(r.floor.cpuUsPerRequest)} µs`,
    `${Math.round(r.raw.cpuUsPerRequest)} µs`,
    `${(100 * r.serviceOfFloor).toFixed(0)}%`,
  ]);
  return renderColumns(header, rows);
}
