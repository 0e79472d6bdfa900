/**
 * Live events from the service's WebSocket (`/api/v1/ws`, issue 12): authenticated by a first
 * `{"type":"auth","token":…}` message, CloudEvents 1.0 envelopes. When the service has no socket
 * (no `/asyncapi.json`), or the socket drops, `connected` is false and screens poll instead.
 */
export interface CloudEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  time?: string;
  subject?: string;
  data: T;
}

type Listener = (event: CloudEvent) => void;
type StateListener = (connected: boolean) => void;

export class LiveEvents {
  private socket: WebSocket | null = null;
  private listeners = new Set<{ prefix: string; listener: Listener }>();
  private stateListeners = new Set<StateListener>();
  private retryMs = 1000;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
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
      // Exactly the contract of issue 12; resuming by last event id is not guessed here.
      socket.send(JSON.stringify({ type: 'auth', token: this.token }));
      this.retryMs = 1000;
      this.setConnected(true);
    };
    socket.onmessage = (message) => this.dispatch(message.data);
    socket.onclose = (close) => {
      this.setConnected(false);
      if (this.socket !== socket || this.stopped || close.code === 4401) return;
      this.timer = setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    };
  }

  private dispatch(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let event: CloudEvent;
    try {
      event = JSON.parse(raw) as CloudEvent;
    } catch {
      return;
    }
    if (typeof event.type !== 'string' || !event.type.startsWith('telegram.')) return;
    for (const { prefix, listener } of this.listeners) if (event.type.startsWith(prefix)) listener(event);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const listener of this.stateListeners) listener(connected);
  }
}
