import { createServer, connect, type Server, type Socket } from 'node:net';

/** A COMMIT the proxy is told to cut: before PostgreSQL sees it, or after it applied it (its answer lost). */
export type CommitCut = 'before' | 'after';

interface Link {
  client: Socket;
  upstream: Socket;
  /** This connection's open transaction wrote an integration_logs row (a state change's audit row). */
  wroteAudit: boolean;
  /** The COMMIT was let through: the server's answer to it is dropped and the proxy goes down. */
  dropAnswer: boolean;
}

const AUDIT_INSERT = /INSERT INTO "?integration_logs"?/i;
const COMMIT = /\bCOMMIT\b/;
const TRANSACTION_END = /\b(COMMIT|ROLLBACK)\b/;

/**
 * A loopback TCP proxy in front of PostgreSQL that a test can cut and restore, to see how the
 * service behaves when the database goes away (connections reset, new ones refused) and returns.
 * `cutAtCommit` cuts it at the COMMIT of the next transaction that wrote an audit row.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private cut = false;
  private trap?: { when: CommitCut; sprung: () => void };
  /** Called when PostgreSQL answers a COMMIT cut `after` (the answer that is dropped). */
  private afterCommit?: () => void;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.track(client);
      this.track(upstream);
      const link: Link = { client, upstream, wroteAudit: false, dropAnswer: false };
      forward(client, upstream, (chunk) => this.fromClient(link, chunk));
      forward(upstream, client, () => this.fromServer(link));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** Drops every open connection and refuses new ones. */
  goDown(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  comeBack(): void {
    this.cut = false;
  }

  /**
   * Goes down at the COMMIT of the next transaction that wrote an integration_logs row: `before`
   * PostgreSQL receives it (nothing committed), or `after` PostgreSQL committed it, dropping its
   * answer (the client cannot know). Resolves once cut; `comeBack()` restores the proxy.
   */
  cutAtCommit(when: CommitCut): Promise<void> {
    return new Promise<void>((sprung) => (this.trap = { when, sprung }));
  }

  /** Disarms a `cutAtCommit` that never fired. */
  disarm(): void {
    this.trap = undefined;
  }

  /** The same URL, routed through this proxy. */
  wrap(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  async stop(): Promise<void> {
    this.goDown();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Whether a chunk from the client goes on to PostgreSQL. */
  private fromClient(link: Link, chunk: Buffer): boolean {
    const text = chunk.toString('latin1');
    if (AUDIT_INSERT.test(text)) link.wroteAudit = true;
    const trap = this.trap;
    if (trap && link.wroteAudit && COMMIT.test(text)) {
      this.trap = undefined;
      if (trap.when === 'before') {
        this.goDown();
        trap.sprung();
        return false;
      }
      link.dropAnswer = true;
      this.afterCommit = trap.sprung;
      return true;
    }
    if (TRANSACTION_END.test(text)) link.wroteAudit = false;
    return true;
  }

  /** Whether a chunk from PostgreSQL goes on to the client: not the answer to a COMMIT cut `after`. */
  private fromServer(link: Link): boolean {
    if (!link.dropAnswer) return true;
    this.goDown();
    this.afterCommit?.();
    this.afterCommit = undefined;
    return false;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}

/** Copies `from` to `to` with backpressure, letting each chunk through only if `pass` says so. */
function forward(from: Socket, to: Socket, pass: (chunk: Buffer) => boolean): void {
  from.on('data', (chunk: Buffer) => {
    if (!pass(chunk) || to.destroyed) return;
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
}
