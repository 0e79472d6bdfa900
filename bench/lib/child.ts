import { fork, type ChildProcess } from 'node:child_process';
import { isMessage, type ChildMessage, type ControlMessage } from './protocol';

export interface RunningServer {
  label: string;
  pid: number;
  baseUrl: string;
  fastifyVersion: string;
  /** Lines the server wrote to stdout/stderr (the service logs there); kept for the report. */
  output: { lines: number; last: string[] };
  /**
   * Asks the server for its CPU time, or to start or stop (and write) a CPU profile; resolves once
   * done, with the server's user + system CPU time so far in microseconds.
   */
  control(message: Exclude<ControlMessage, { type: 'stop' }>): Promise<number>;
  stop(): Promise<void>;
}

type Ready = Extract<ChildMessage, { type: 'ready' }>;
type Failed = Extract<ChildMessage, { type: 'failed' }>;
type Done = Extract<ChildMessage, { type: 'done' }>;

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** Forks `script` (a compiled server), sends it `start`, and resolves once it listens. */
export function startServer(label: string, script: string, start: { type: 'start' }): Promise<RunningServer> {
  const child = fork(script, [], {
    env: { ...process.env, NODE_ENV: 'production' },
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output = { lines: 0, last: [] as string[] };
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      output.lines += 1;
      output.last.push(line.slice(0, 500));
      if (output.last.length > 20) output.last.shift();
    }
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  return new Promise<RunningServer>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new Error(`${label} server: ${reason}${output.last.length ? `\n  ${output.last.join('\n  ')}` : ''}`),
      );
    };
    const timer = setTimeout(() => fail(`not ready within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited during start-up (${signal ?? code})`));
    const onStart = (message: unknown) => {
      if (isMessage<Failed>(message, 'failed')) fail(message.message);
      if (!isMessage<Ready>(message, 'ready')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.off('message', onStart);
      resolve({
        label,
        pid: message.pid,
        baseUrl: `http://127.0.0.1:${message.port}`,
        fastifyVersion: message.fastifyVersion,
        output,
        control: (control) => request(child, control),
        stop: () => stopChild(child),
      });
    };
    child.on('message', onStart);
    child.send(start);
  });
}

function request(child: ChildProcess, message: Exclude<ControlMessage, { type: 'stop' }>): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: unknown) => {
      if (!isMessage<Done>(reply, 'done') || reply.request !== message.type) return;
      child.off('message', onMessage);
      if (reply.error) reject(new Error(reply.error));
      else resolve(reply.cpuMicros);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
  });
}
