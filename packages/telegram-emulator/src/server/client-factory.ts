import { TelegramClient } from 'telegram';
import { _serverKeys } from 'telegram/crypto/RSA';
import { returnBigInt } from 'telegram/Helpers';
import { ConnectionTCPFull, type Connection } from 'telegram/network';
import type { TelegramClientFactory } from '../emulated-client';
import type { DcEndpoint } from './emulator-server';

/** What a client needs to reach an emulator server: each DC's address and the server's RSA public key. */
export interface EmulatorNetwork {
  readonly dcs: readonly DcEndpoint[];
  readonly defaultDcId: number;
  readonly rsa: {
    /** Signed 64-bit fingerprint, decimal. */
    readonly fingerprint: string;
    /** Modulus, hex, big-endian. */
    readonly n: string;
    readonly e: number;
  };
}

/**
 * Adds the emulator's RSA key to GramJS's table of trusted server keys. Called only by the emulator's client
 * factory (TELEGRAM_EMULATOR on, never in production): real Telegram never offers this fingerprint.
 */
export function trustEmulatorKey(rsa: EmulatorNetwork['rsa']): void {
  _serverKeys.set(rsa.fingerprint, { n: returnBigInt(BigInt(`0x${rsa.n}`)), e: rsa.e });
}

type ConnectionClass = typeof Connection;
type ConnectionParams = ConstructorParameters<ConnectionClass>[0];

/**
 * GramJS's own connection class (ConnectionTCPFull unless the caller chose another), told the port of each DC:
 * GramJS 2.26.22 keeps only the address of help.getConfig's dc_options (and of a saved session) and dials
 * port 80 (main connection) or 443 (getDC) whatever the option said, so the port the DC listens on is put
 * back from the DC id GramJS passes to every connection. The address is GramJS's own choice, unchanged.
 */
export function emulatorConnectionClass(network: EmulatorNetwork, base: ConnectionClass): ConnectionClass {
  const byDc = new Map(network.dcs.map((dc) => [dc.dcId, dc]));
  return class EmulatorDcConnection extends base {
    constructor(params: ConnectionParams) {
      const dc = byDc.get(params.dcId);
      super(dc ? { ...params, port: dc.port } : params);
    }
  };
}

/**
 * The real GramJS TelegramClient, unmodified — MTProtoSender, auth-key exchange, encryption and all — pointed
 * at an emulator server over TCP. A new session starts on the emulator's default DC instead of GramJS's DC 4;
 * a session naming another address for one of the emulator's DCs is pointed at that DC here.
 */
export function createEmulatorServerClient(network: EmulatorNetwork): TelegramClientFactory {
  trustEmulatorKey(network.rsa);
  const home = network.dcs.find((dc) => dc.dcId === network.defaultDcId) ?? network.dcs[0];
  return (session, apiId, apiHash, params = {}) => {
    // GramJS ignores the stored port, and StringSession keeps it as a signed 16-bit number: store Telegram's 443.
    if (!session.serverAddress) session.setDC(home.dcId, home.host, 443);
    // The emulator stands in for every Telegram DC: a session made for Telegram's own addresses (an imported
    // Pyrogram or tdata session names only a DC; the converter gives it Telegram's address) reaches its DC here.
    const dc = network.dcs.find((d) => d.dcId === session.dcId);
    if (dc && session.serverAddress !== dc.host) session.setDC(dc.dcId, dc.host, 443);
    const connection = emulatorConnectionClass(network, params.connection ?? ConnectionTCPFull);
    return new TelegramClient(session, apiId, apiHash, { ...params, connection });
  };
}
