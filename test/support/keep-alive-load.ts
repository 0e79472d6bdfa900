import { Agent, request } from 'node:http';

export interface KeepAliveLoadResult {
  /** Requests written on a connection. */
  sent: number;
  /** Answered, by status. */
  statuses: Record<string, number>;
  /** Requests that got no answer, by error code. */
  unanswered: Record<string, number>;
  /** Connections the server asked to close (`Connection: close`). */
  closedByServer: number;
}

/**
 * `connections` keep-alive connections, each sending one request after the other (as a browser or a
 * pooled HTTP client does) until `stop()` or until the server answers `Connection: close` — then that
 * connection ends and opens no other, so every request counted was written on a connection the
 * server had accepted: each must be answered.
 */
export class KeepAliveLoad {
  private stopped = false;
  private readonly result: KeepAliveLoadResult = { sent: 0, statuses: {}, unanswered: {}, closedByServer: 0 };
  private readonly loops: Promise<void>[] = [];
  private readonly warm: Promise<void>[] = [];

  constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    connections: number,
  ) {
    for (let i = 0; i < connections; i++) {
      let warmed!: () => void;
      this.warm.push(new Promise<void>((resolve) => (warmed = resolve)));
      this.loops.push(this.loop(warmed));
    }
  }

  /** Every connection has had one answer. */
  warmedUp(): Promise<void> {
    return Promise.all(this.warm).then(() => undefined);
  }

  async stop(): Promise<KeepAliveLoadResult> {
    this.stopped = true;
    await Promise.all(this.loops);
    return this.result;
  }

  private async loop(warmed: () => void): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (!this.stopped) {
        const outcome = await this.one(agent);
        warmed();
        if (outcome !== 'keep') break;
      }
    } finally {
      agent.destroy();
    }
  }

  private one(agent: Agent): Promise<'keep' | 'closed' | 'failed'> {
    this.result.sent++;
    return new Promise((resolve) => {
      const req = request(this.url, { agent, headers: this.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          const status = String(res.statusCode);
          this.result.statuses[status] = (this.result.statuses[status] ?? 0) + 1;
          if (/close/i.test(String(res.headers.connection ?? ''))) {
            this.result.closedByServer++;
            resolve('closed');
          } else resolve('keep');
        });
        res.on('error', () => undefined);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? error.message;
        this.result.unanswered[code] = (this.result.unanswered[code] ?? 0) + 1;
        resolve('failed');
      });
      req.end();
    });
  }
}
