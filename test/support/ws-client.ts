import WebSocket from 'ws';

export interface WsMessage {
  type: string;
  [key: string]: unknown;
}

export interface EventMessage extends WsMessage {
  type: 'event';
  event: { id: string; type: string; userid: number; subject: string; data: Record<string, unknown> };
}

/** A WebSocket client of /api/v1/ws that records every message and close, for tests and the bench. */
export class WsClient {
  readonly messages: WsMessage[] = [];
  closed?: { code: number; reason: string };
  private waiters: (() => void)[] = [];
  readonly socket: WebSocket;
  readonly opened: Promise<void>;

  constructor(baseUrl: string, options: { protocols?: string[] } = {}) {
    this.socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/ws`, options.protocols ?? []);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as WsMessage);
      this.notify();
    });
    this.socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
    this.socket.on('error', () => undefined);
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  events(): EventMessage['event'][] {
    return this.messages.filter((m): m is EventMessage => m.type === 'event').map((m) => m.event);
  }

  types(): string[] {
    return this.events().map((e) => e.type);
  }

  /** Waits until `check` holds (re-checked on every message or close). */
  async until<T>(
    check: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 10_000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}; got ${JSON.stringify(this.messages).slice(-1500)} closed=${JSON.stringify(this.closed)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  message(type: string, timeoutMs?: number): Promise<WsMessage> {
    return this.until(() => this.messages.find((m) => m.type === type), timeoutMs, `a "${type}" message`);
  }

  /** Waits for events of these types (in any order, each at least once). */
  eventsOf(types: string[], timeoutMs?: number): Promise<EventMessage['event'][]> {
    return this.until(
      () => (types.every((t) => this.types().includes(t)) ? this.events() : undefined),
      timeoutMs,
      `events ${types.join(', ')}`,
    );
  }

  closedWith(timeoutMs?: number): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, timeoutMs, 'the socket to close');
  }

  close(): void {
    this.socket.close();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** Opens, authenticates by first message, optionally subscribes; resolves once `authenticated` arrived. */
export async function authedClient(
  baseUrl: string,
  token: string,
  options: { types?: string[]; lastEventId?: string; resumeIn?: 'auth' | 'subscribe' } = {},
): Promise<WsClient> {
  const client = new WsClient(baseUrl);
  await client.opened;
  const resumeInAuth = options.lastEventId !== undefined && options.resumeIn === 'auth';
  client.send({ type: 'auth', token, ...(resumeInAuth ? { last_event_id: options.lastEventId } : {}) });
  await client.message('authenticated');
  if (options.types || (options.lastEventId && !resumeInAuth)) {
    client.send({
      type: 'subscribe',
      types: options.types ?? [],
      ...(options.lastEventId && !resumeInAuth ? { last_event_id: options.lastEventId } : {}),
    });
    await client.message('subscribed');
  }
  return client;
}
