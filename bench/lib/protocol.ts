import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Messages between the bench runner (parent) and the two servers it forks. */

/** The real service: it reads its configuration through `loadConfig(env)` like `npm start` does. */
export interface ServiceStartMessage {
  type: 'start';
  env: Record<string, string>;
}

/** The raw Fastify + pg baseline: the same settings, passed explicitly. */
export interface RawStartMessage {
  type: 'start';
  databaseUrl: string;
  jwtSecret: string;
  /**
   * How the secret reaches jsonwebtoken: as the string (what the service's JwtService does today,
   * which makes jsonwebtoken 9 try — and fail — to parse it as a public key on every verify), or as a
   * KeyObject made once.
   */
  jwtKey: 'string' | 'keyobject';
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  accountsSql: string;
  health: { status: string; service: string; version: string };
}

/** Parent → child, after `start`. */
export type ControlMessage =
  { type: 'stop' } | { type: 'cpu' } | { type: 'profile-start' } | { type: 'profile-stop'; file: string };

function isControl(message: unknown): message is Exclude<ControlMessage, { type: 'stop' }> {
  return (['cpu', 'profile-start', 'profile-stop'] as const).some((type) =>
    isMessage<ControlMessage>(message, type),
  );
}

/** This process's user + system CPU time so far, in microseconds. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function cpuAt(message: Exclude<ControlMessage, { type: 'stop' }>, before: number): number {
  return message.type === 'profile-stop' ? before : cpuMicros();
}

/** Child → parent. */
export type ChildMessage =
  | { type: 'ready'; port: number; fastifyVersion: string; pid: number }
  | { type: 'failed'; message: string }
  /** A control request was handled; `cpuMicros` is the process's CPU time at that moment. */
  | { type: 'done'; request: string; cpuMicros: number; error?: string };

export function isMessage<T extends { type: string }>(value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type;
}

function tellParent(message: ChildMessage): void {
  process.send?.(message);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Wires a forked server's lifecycle: waits for `start`, reports `ready` (or `failed`), records a V8
 * CPU profile between `profile-start` and `profile-stop` (so only a measured window is profiled),
 * stops on `stop`, and exits when the parent goes away so no server outlives an interrupted run.
 */
export function serveChild<S extends { type: 'start' }>(
  start: (message: S) => Promise<{ port: number; fastifyVersion: string; stop: () => Promise<void> }>,
): void {
  let stop: (() => Promise<void>) | undefined;
  let profiler: Session | undefined;
  const exit = (code: number) => {
    (stop ? stop() : Promise.resolve()).then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  const control = async (message: ControlMessage): Promise<void> => {
    if (message.type === 'profile-start') {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
    } else if (message.type === 'profile-stop' && profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      writeFileSync(message.file, JSON.stringify(profile));
    }
  };
  process.on('disconnect', () => exit(0));
  process.on('message', (message: unknown) => {
    if (isMessage<{ type: 'stop' }>(message, 'stop')) {
      exit(0);
    } else if (isMessage<S>(message, 'start')) {
      start(message).then(
        (started) => {
          stop = started.stop;
          tellParent({
            type: 'ready',
            port: started.port,
            fastifyVersion: started.fastifyVersion,
            pid: process.pid,
          });
        },
        (error: unknown) => {
          tellParent({ type: 'failed', message: describe(error) });
          process.exit(1);
        },
      );
    } else if (isControl(message)) {
      // The CPU reading excludes the profiler's own start-up and the writing of the profile.
      const before = cpuMicros();
      control(message).then(
        () => tellParent({ type: 'done', request: message.type, cpuMicros: cpuAt(message, before) }),
        (error: unknown) =>
          tellParent({
            type: 'done',
            request: message.type,
            cpuMicros: cpuAt(message, before),
            error: describe(error),
          }),
      );
    }
  });
}
