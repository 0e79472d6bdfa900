/**
 * Live events from the service's WebSocket (`/api/v1/ws`, docs/events.md,
 * src/events/ws/ws-protocol.ts): a first `{"type":"auth","token":…}` message (the token never in
 * the URL), answered by `{"type":"authenticated"}`; then every event of this user arrives as
 * `{"type":"event","event":<CloudEvent 1.0>}`. After a drop the socket comes back with the last
 * event id seen, so the events in between are replayed. When the service has no socket (its
 * `/asyncapi.json` does not name `/api/v1/ws`), or until the socket is authenticated again,
 * `connected` is false and screens poll instead.
 */
export interface CloudEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  time?: string;
  subject?: string;
  data: T;
}

/** What the server sends (besides the CloudEvents inside `event` messages). */
type ServerMessage =
  | { type: 'authenticated'; user_id: number; expires_at: string }
  | { type: 'event'; event: CloudEvent }
  | { type: 'subscribed' | 'resumed' | 'resume_failed' | 'error' | 'pong'; [key: string]: unknown };

type Listener = (event: CloudEvent) => void;
type StateListener = (connected: boolean) => void;

export class LiveEvents {
  private socket: WebSocket | null = null;
  private listeners = new Set<{ prefix: string; listener: Listener }>();
  private stateListeners = new Set<StateListener>();
  private retryMs = 1000;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private lastEventId: string | undefined;
  connected = false;

  constructor(private readonly token: string) {}

  async start(): Promise<void> {
    this.stopped = false;
    if (!(await this.serviceHasSocket())) return;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000);
    this.socket = null;
    this.setConnected(false);
  }

  /** `prefix` like `telegram.qr_login.` or an exact type; returns the unsubscribe function. */
  on(prefix: string, listener: Listener): () => void {
    const entry = { prefix, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private async serviceHasSocket(): Promise<boolean> {
    try {
      const response = await fetch('/asyncapi.json', { headers: { accept: 'application/json' } });
      if (!response.ok) return false;
      const text = await response.text();
      return text.includes('/api/v1/ws');
    } catch {
      return false;
    }
  }

  private open(): void {
    if (this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws`);
    this.socket = socket;
    socket.onopen = () => {
      const resume = this.lastEventId ? { last_event_id: this.lastEventId } : {};
      socket.send(JSON.stringify({ type: 'auth', token: this.token, ...resume }));
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = (close) => {
      this.setConnected(false);
      if (this.socket !== socket || this.stopped || close.code === 4401) return;
      this.timer = setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    };
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(raw) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'authenticated') {
      this.retryMs = 1000;
      this.setConnected(true);
    } else if (message.type === 'event') this.dispatch(message.event);
  }

  private dispatch(event: CloudEvent | undefined): void {
    if (!event || typeof event.type !== 'string' || !event.type.startsWith('telegram.')) return;
    if (typeof event.id === 'string') this.lastEventId = event.id;
    for (const { prefix, listener } of this.listeners) if (event.type.startsWith(prefix)) listener(event);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const listener of this.stateListeners) listener(connected);
  }
}
