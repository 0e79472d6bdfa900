import { TelegramClient } from 'telegram';
import { _serverKeys } from 'telegram/crypto/RSA';
import { PromisedNetSockets } from 'telegram/extensions';
import { returnBigInt } from 'telegram/Helpers';
import type { TelegramClientFactory } from '../emulated-client';
import { DC_PORT, dcAddress } from '../tl-builders';
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

/**
 * GramJS's own socket class, told where each emulated DC really listens: GramJS 2.26.22 dials port 80 (main
 * connection) or 443 (getDC) whatever help.getConfig said, so the DC is recognised by its address (127.0.0.X
 * for DC X, as help.getConfig answers) and the connection goes to that DC's host and port.
 */
export function emulatorSocketClass(network: EmulatorNetwork): typeof PromisedNetSockets {
  const byAddress = new Map(network.dcs.map((dc) => [dcAddress(dc.dcId), dc]));
  const fallback = network.dcs.find((dc) => dc.dcId === network.defaultDcId) ?? network.dcs[0];
  return class EmulatorNetSocket extends PromisedNetSockets {
    override connect(_port: number, ip: string): Promise<unknown> {
      const target = byAddress.get(ip) ?? fallback;
      return super.connect(target.port, target.host);
    }
  };
}

/**
 * The real GramJS TelegramClient, unmodified — MTProtoSender, auth-key exchange, encryption and all — pointed
 * at an emulator server over TCP. A new session starts on the emulator's default DC instead of GramJS's DC 4.
 */
export function createEmulatorServerClient(network: EmulatorNetwork): TelegramClientFactory {
  trustEmulatorKey(network.rsa);
  const networkSocket = emulatorSocketClass(network);
  return (session, apiId, apiHash, params = {}) => {
    if (!session.serverAddress) {
      session.setDC(network.defaultDcId, dcAddress(network.defaultDcId), DC_PORT);
    }
    return new TelegramClient(session, apiId, apiHash, { ...params, networkSocket });
  };
}
