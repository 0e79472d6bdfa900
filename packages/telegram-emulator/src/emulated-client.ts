import { Api, TelegramClient } from 'telegram';
import { _handleUpdate, _updateLoop } from 'telegram/client/updates';
import type { TelegramClientParams } from 'telegram/client/telegramBaseClient';
import type { MTProtoSender } from 'telegram/network';
import type { Session } from 'telegram/sessions';
import { LAYER } from 'telegram/tl/AllTLObjects';
import type { EmulatorEndpoint } from './emulator';
import { asMTProtoSender, FakeMTProtoSender } from './fake-sender';
import { DC_PORT } from './tl-builders';

/** GramJS declares _handleUpdate for single updates; at runtime (as MTProtoSender's updateCallback) it takes any. */
const handleUpdate = _handleUpdate as (client: TelegramClient, update: unknown) => void;

/** The base-client internals this class reaches that GramJS marks private. */
interface BaseClientInternals {
  _exportedSenderReleaseTimeouts: Map<number, ReturnType<typeof setTimeout>>;
}

/**
 * The real GramJS TelegramClient, with only the transport swapped: connect() installs a FakeMTProtoSender that
 * talks to a TelegramEmulator instead of opening sockets. Everything above the sender is GramJS's own code:
 * invoke (flood waits, PHONE_MIGRATE → _switchDC), getDC (help.getConfig), _borrowExportedSender /
 * _connectSender (auth.exportAuthorization / importAuthorization), sessions, update dispatch.
 */
export class EmulatedTelegramClient extends TelegramClient {
  readonly emulator: EmulatorEndpoint;
  /** The fake behind `_sender` (GramJS resets `_sender` to undefined in _switchDC; then a new one is made). */
  private mainSender?: FakeMTProtoSender;

  constructor(
    emulator: EmulatorEndpoint,
    session: Session,
    apiId: number,
    apiHash: string,
    params: TelegramClientParams = {},
  ) {
    super(session, apiId, apiHash, params);
    this.emulator = emulator;
  }

  /** TelegramClient.connect, step for step, with a fake sender in place of MTProtoSender. */
  override async connect(): Promise<boolean> {
    await this._initSession();
    // A fresh session points at GramJS's default DC 4, which this world does not have.
    if (!this.emulator.hasDc(this.session.dcId)) {
      const dcId = this.emulator.defaultDcId;
      this.session.setDC(dcId, this.emulator.dcAddress(dcId), DC_PORT);
    }
    let sender = this.mainSender;
    if (this._sender === undefined || sender === undefined) {
      sender = new FakeMTProtoSender({
        endpoint: this.emulator,
        dcId: this.session.dcId,
        authKey: this.session.getAuthKey(),
        logger: this._log,
        client: this,
        isMainSender: true,
        authKeyCallback: this._authKeyCallback.bind(this),
        updateCallback: handleUpdate,
        autoReconnectCallback: this._handleReconnect.bind(this),
      });
      this.mainSender = sender;
      this._sender = asMTProtoSender(sender);
    }
    if (!(await sender.connect())) {
      this.startUpdateLoop();
      return false;
    }
    this.session.setAuthKey(sender.authKey);
    this.session.save();
    this._initRequest.query = new Api.help.GetConfig();
    await sender.send(new Api.InvokeWithLayer({ layer: LAYER, query: this._initRequest }));
    this.startUpdateLoop();
    this._connectedDeferred.resolve();
    this._isSwitchingDc = false;
    return true;
  }

  /** Exported senders (other DCs, used by invoke(req, dcId) and downloads) are fakes too. */
  override _createExportedSender(dcId: number): MTProtoSender {
    return asMTProtoSender(
      new FakeMTProtoSender({
        endpoint: this.emulator,
        dcId,
        authKey: this.session.getAuthKey(dcId),
        logger: this._log,
        client: this,
        isMainSender: dcId === this.session.dcId,
        authKeyCallback: this._authKeyCallback.bind(this),
        onConnectionBreak: this._cleanupExportedSender.bind(this),
      }),
    );
  }

  /**
   * TelegramBaseClient.disconnect, plus what it means to do: it walks its Maps with Object.values (always
   * empty), so exported senders stay open and their 30 s release timers keep the process alive.
   */
  override async disconnect(): Promise<void> {
    const exported = [...this._exportedSenderPromises.values()];
    await super.disconnect();
    for (const pending of exported) {
      const sender = await pending.catch(() => undefined);
      await sender?.disconnect();
    }
    const internals = this as unknown as BaseClientInternals; // private in GramJS's typings
    for (const timer of internals._exportedSenderReleaseTimeouts.values()) clearTimeout(timer);
    internals._exportedSenderReleaseTimeouts.clear();
  }

  private startUpdateLoop(): void {
    if (!this._loopStarted) {
      void _updateLoop(this);
      this._loopStarted = true;
    }
  }
}

/** Builds clients the way production code builds TelegramClient, so a factory can swap one for the other. */
export type TelegramClientFactory = (
  session: Session,
  apiId: number,
  apiHash: string,
  params?: TelegramClientParams,
) => TelegramClient;

export const createEmulatedClient =
  (emulator: EmulatorEndpoint): TelegramClientFactory =>
  (session, apiId, apiHash, params) =>
    new EmulatedTelegramClient(emulator, session, apiId, apiHash, params);
