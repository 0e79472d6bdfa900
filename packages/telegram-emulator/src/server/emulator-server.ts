import { createServer, type AddressInfo, type Server } from 'node:net';
import { EMULATOR_DC_IDS } from '../accounts';
import type { TelegramEmulator } from '../emulator';
import { AuthKeyStore } from './auth-key-store';
import type { FaultRequest, FaultTarget } from '../control/emulator-control-port';
import type { EmulatorNetwork } from './client-factory';
import { MtprotoConnection, type ConnectionHost } from './mtproto-connection';
import { EmulatorRsaKey } from './rsa-key';

export interface EmulatorServerOptions {
  /** Listening address (default 127.0.0.1). */
  readonly host?: string;
  /** DC 1's port; DC 2 and 3 listen on the next two. 0 (default): three free ports. */
  readonly basePort?: number;
  /** The address help.getConfig's dc_options give clients (default: `host`, or 127.0.0.1 when that is a wildcard). */
  readonly advertisedHost?: string;
}

/** Where one emulated DC listens. */
export interface DcEndpoint {
  readonly dcId: number;
  readonly host: string;
  readonly port: number;
}

/**
 * Telegram's data centres 1–3 as MTProto 2.0 servers over TCP, one listening port each, all serving one
 * TelegramEmulator world. The RSA key is generated here at start; clients trust it only through
 * createEmulatorServerClient (see client-factory.ts).
 */
export class TelegramEmulatorServer {
  readonly rsa = new EmulatorRsaKey();
  readonly keys = new AuthKeyStore();
  private readonly servers = new Map<number, Server>();
  private readonly connections = new Set<MtprotoConnection>();
  private endpointList: DcEndpoint[] = [];
  /** Service messages and transport errors sent so far, by kind (see ConnectionHost.count). */
  readonly events = new Map<string, number>();

  constructor(
    readonly world: TelegramEmulator,
    private readonly options: EmulatorServerOptions = {},
  ) {}

  get endpoints(): readonly DcEndpoint[] {
    return this.endpointList;
  }

  async start(): Promise<readonly DcEndpoint[]> {
    const host = this.options.host ?? '127.0.0.1';
    const base = this.options.basePort ?? 0;
    const endpoints: DcEndpoint[] = [];
    for (const dcId of EMULATOR_DC_IDS) {
      const server = createServer((socket) => {
        const connection = new MtprotoConnection(socket, this.hostFor(dcId));
        this.connections.add(connection);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(base === 0 ? 0 : base + dcId - 1, host, () => resolve());
      });
      this.servers.set(dcId, server);
      endpoints.push({ dcId, host, port: (server.address() as AddressInfo).port });
    }
    this.endpointList = endpoints;
    const advertised =
      this.options.advertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
    this.world.setDcEndpoints(new Map(endpoints.map((e) => [e.dcId, { host: advertised, port: e.port }])));
    return endpoints;
  }

  /** What clients need to reach this server (see createEmulatorServerClient). */
  get network(): EmulatorNetwork {
    return {
      dcs: this.endpointList,
      defaultDcId: this.world.defaultDcId,
      rsa: { fingerprint: this.rsa.fingerprint.toString(), n: this.rsa.n.toString('hex'), e: this.rsa.e },
    };
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.drop();
    await Promise.all(
      [...this.servers.values()].map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      ),
    );
    this.servers.clear();
  }

  /**
   * Resolves once the connections a client just closed are closed here too: FINs on loopback arrive within
   * a few event-loop turns, so this waits until the count of open connections holds still for 30 ms (at most 1 s).
   */
  async settle(): Promise<void> {
    let last = this.connections.size;
    let still = 0;
    for (let waited = 0; waited < 1000 && still < 3; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      still = this.connections.size === last ? still + 1 : 0;
      last = this.connections.size;
    }
  }

  /** Open client connections (after the handshake, bound to a key), optionally only those of `target`. */
  liveConnections(target: FaultTarget = {}): MtprotoConnection[] {
    const keyIds = this.keyIdsOf(target);
    return [...this.connections].filter(
      (c) => !c.isClosed && (keyIds === undefined || (c.key !== undefined && keyIds.has(c.key.authKeyId))),
    );
  }

  /** Applies one network fault; answers how many connections it hit. */
  fault(request: FaultRequest): number {
    if (request.fault === 'drop') return this.drop(request.target);
    if (request.fault === 'stall') return this.stall(request.target, request.on);
    return this.delay(request.target, request.ms);
  }

  /** Fault: closes every connection of the target; GramJS reconnects by itself. Returns how many. */
  drop(target: FaultTarget): number {
    const hit = this.liveConnections(target);
    for (const connection of hit) connection.drop();
    return hit.length;
  }

  /** Fault: the target's connections take bytes and answer nothing until `stalled` is false again. */
  stall(target: FaultTarget, stalled = true): number {
    const hit = this.liveConnections(target);
    for (const connection of hit) connection.stalled = stalled;
    return hit.length;
  }

  /** Fault: the target's connections answer `ms` late (0 ends it). */
  delay(target: FaultTarget, ms: number): number {
    const hit = this.liveConnections(target);
    for (const connection of hit) connection.delayMs = ms;
    return hit.length;
  }

  private keyIdsOf(target: FaultTarget): Set<string> | undefined {
    if (target.authKeyId !== undefined) return new Set([target.authKeyId.toLowerCase()]);
    if (target.phone !== undefined) return new Set(this.world.authKeyIdsOf(target.phone));
    return undefined;
  }

  private hostFor(dcId: number): ConnectionHost {
    return {
      dcId,
      world: this.world,
      keys: this.keys,
      rsa: this.rsa,
      count: (event) => this.events.set(event, (this.events.get(event) ?? 0) + 1),
      othersWithKey: (connection) =>
        [...this.connections].filter(
          (c) => c !== connection && !c.isClosed && c.link !== undefined && c.key === connection.key,
        ),
      closed: (connection) => {
        this.connections.delete(connection);
      },
    };
  }
}
