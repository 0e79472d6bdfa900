import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Measurement } from './autocannon';

/** One measured run, with the CPU time (user + system) the server process spent per request. */
export interface TargetRun extends Measurement {
  cpuUsPerRequest: number;
}

export interface RouteResult {
  route: string;
  service: TargetRun;
  raw: TargetRun;
  /** service req/s ÷ raw req/s. */
  ratio: number;
  /** The minimum ratio the issue asks for, when it asks for one. */
  aim?: number;
  /** Whether every request of both runs answered 2xx without a connection error. */
  clean: boolean;
  /** Share of the machine's CPU (0–1) that processes outside the benchmark used meanwhile, when known. */
  background?: number;
}

/** Whether every request of these runs answered 2xx without a connection error. */
export function allClean(runs: TargetRun[]): boolean {
  return runs.every((m) => m.non2xx === 0 && m.errors === 0 && m.totalRequests > 0);
}

/** A plain table: the first column left-aligned, the others right-aligned, ` | ` between columns. */
export function renderColumns(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ');
  return [line(header), '-'.repeat(line(header).length), ...rows.map(line)].join('\n');
}

export function verdict(result: RouteResult): string {
  if (!result.clean) return 'INVALID (errors or non-2xx)';
  if (result.aim === undefined) return '(no aim)';
  return `${result.ratio >= result.aim ? 'pass' : 'MISS'} (aim ≥ ${result.aim.toFixed(2)}×)`;
}

/** route | service req/s p50 p99 | raw req/s p50 p99 | ratio | aim */
export function formatTable(results: RouteResult[]): string {
  const header = ['route', 'service req/s', 'p50', 'p99', 'raw req/s', 'p50', 'p99', 'service/raw', 'aim'];
  const rows = results.map((r) => [
    r.route,
    rate(r.service.requestsPerSecond),
    ms(r.service.p50Ms),
    ms(r.service.p99Ms),
    rate(r.raw.requestsPerSecond),
    ms(r.raw.p50Ms),
    ms(r.raw.p99Ms),
    `${r.ratio.toFixed(2)}×`,
    verdict(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
      )
      .reduce((out, cell, i) => out + ([1, 4, 7, 8].includes(i) ? ' | ' : i === 0 ? '' : '  ') + cell, '')
      .trimEnd();
  const rule = '-'.repeat(line(header).length);
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * route | service CPU µs/request | raw CPU µs/request | extra µs the service spends per request |
 * how much CPU processes outside the benchmark took meanwhile.
 */
export function formatCpuTable(results: RouteResult[]): string {
  const header = ['server CPU per request', 'service', 'raw', 'service extra', 'other processes'];
  const rows = results.map((r) => [
    r.route,
    us(r.service.cpuUsPerRequest),
    us(r.raw.cpuUsPerRequest),
    signed(r.service.cpuUsPerRequest - r.raw.cpuUsPerRequest),
    r.background === undefined ? 'n/a' : `${(100 * r.background).toFixed(0)}% of the CPUs`,
  ]);
  return renderColumns(header, rows);
}

export function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function rate(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function signed(micros: number): string {
  return `${micros < 0 ? '−' : '+'}${us(Math.abs(micros))}`;
}

function us(value: number): string {
  return `${Math.round(value)} µs`;
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}
