import { Api, type TelegramClient } from 'telegram';
import { AuthKey } from 'telegram/crypto/AuthKey';
import { RPCMessageToError } from 'telegram/errors';
import { BinaryReader } from 'telegram/extensions';
import type { Logger } from 'telegram/extensions/Logger';
import { UpdateConnectionState, type MTProtoSender } from 'telegram/network';
import { RequestState } from 'telegram/network/RequestState';
import type { EmulatorEndpoint, EmulatorLink, EmulatorReply } from './emulator';
import { decodeObject } from './tl-codec';

/** crc32("Updates"): MTProtoSender only dispatches objects of this TL type as updates. */
const UPDATES_SUBCLASS_ID = 0x8af52aac;

export interface FakeSenderOptions {
  readonly endpoint: EmulatorEndpoint;
  readonly dcId: number;
  readonly authKey?: AuthKey;
  readonly logger: Logger;
  readonly client: TelegramClient;
  readonly isMainSender: boolean;
  readonly authKeyCallback?: (authKey: AuthKey, dcId: number) => Promise<void>;
  readonly updateCallback?: (client: TelegramClient, update: unknown) => void;
  readonly autoReconnectCallback?: () => Promise<void>;
  readonly onConnectionBreak?: (dcId: number) => Promise<void>;
}

/** The request type GramJS's RequestState carries (typed `any` upstream). */
interface SentRequest {
  readonly className: string;
  readResult(reader: BinaryReader): unknown;
}

/**
 * Stands where GramJS's MTProtoSender stands (client._sender and exported senders) and has its surface:
 * connect / disconnect / send / addStateToQueue / isConnected / reconnect, authKey, dcId, userDisconnected,
 * isConnecting, isReconnecting, _authenticated, _pendingState. Instead of encrypting to a socket it hands
 * the request's TL bytes to the emulator and feeds the answer bytes to `request.readResult`, or turns an
 * rpc_error into GramJS's error classes with RPCMessageToError — as MTProtoSender._handleRPCResult does.
 */
export class FakeMTProtoSender {
  readonly authKey: AuthKey;
  userDisconnected = false;
  isConnecting = false;
  isReconnecting = false;
  _authenticated = false;
  _disconnected = true;
  readonly _isMainSender: boolean;
  /** Requests not answered yet (GramJS reads `_pendingState.values()` when releasing exported senders). */
  readonly _pendingState = { values: (): RequestState[] => [...this.waiting, ...this.unanswered] };

  private _dcId: number;
  private link?: EmulatorLink;
  private readonly waiting: RequestState[] = [];
  /**
   * After a transport error −404 MTProtoSender's receive loop has ended (_recvLoop → _handleBadAuthKey):
   * what was sent is never answered and nothing more is read, until the sender connects again.
   */
  private deaf = false;
  private readonly unanswered: RequestState[] = [];
  private readonly options: FakeSenderOptions;

  constructor(options: FakeSenderOptions) {
    this.options = options;
    this._dcId = options.dcId;
    this._isMainSender = options.isMainSender;
    // Share the session's AuthKey object, as MTProtoSender does: _switchDC clears it through `sender.authKey`.
    this.authKey = options.authKey ?? new AuthKey();
  }

  get dcId(): number {
    return this._dcId;
  }

  set dcId(value: number) {
    this._dcId = value;
  }

  /** Connects (the GramJS Connection argument is ignored: nothing touches the network). */
  async connect(_connection?: unknown, force = false): Promise<boolean> {
    this.userDisconnected = false;
    if (this.link && !force) {
      this.options.logger.info('User is already connected!');
      return false;
    }
    this.isConnecting = true;
    this.link?.close();
    const existing = this.authKey.getKey();
    if (existing) {
      this._authenticated = true;
    } else {
      await this.authKey.setKey(this.options.endpoint.issueAuthKey(this._dcId));
      await this.options.authKeyCallback?.(this.authKey, this._dcId);
    }
    const key = this.authKey.getKey();
    if (!key) throw new Error('auth key missing after key exchange');
    this.link = this.options.endpoint.openLink(this._dcId, key, (bytes) => this.receiveUpdate(bytes));
    this._disconnected = false;
    this.deaf = false;
    this.waiting.push(...this.unanswered.splice(0));
    this.isConnecting = false;
    this.isReconnecting = false;
    this.options.updateCallback?.(
      this.options.client,
      new UpdateConnectionState(UpdateConnectionState.connected),
    );
    this.flush();
    return true;
  }

  isConnected(): boolean {
    return this.link !== undefined;
  }

  async disconnect(): Promise<void> {
    this.userDisconnected = true;
    this.closeLink();
  }

  send(request: Api.AnyRequest): Promise<unknown> {
    const state = new RequestState(request);
    this.addStateToQueue(state);
    if (!state.promise) throw new Error('RequestState without a promise');
    return state.promise;
  }

  addStateToQueue(state: RequestState): void {
    this.waiting.push(state);
    this.flush();
  }

  reconnect(): void {
    if (this.link && !this.isReconnecting) {
      this.isReconnecting = true;
      void this._reconnect();
    }
  }

  async _reconnect(): Promise<void> {
    this.closeLink();
    await this.connect(undefined, true);
    await this.options.autoReconnectCallback?.();
  }

  private closeLink(): void {
    this.options.updateCallback?.(
      this.options.client,
      new UpdateConnectionState(UpdateConnectionState.disconnected),
    );
    this.link?.close();
    this.link = undefined;
    this._disconnected = true;
  }

  /** Sends everything queued while connected; requests queued while disconnected wait, like MTProtoSender's. */
  private flush(): void {
    const link = this.link;
    if (!link) return;
    if (this.deaf) {
      this.unanswered.push(...this.waiting.splice(0));
      return;
    }
    for (const state of this.waiting.splice(0)) {
      void link.call(state.data).then(
        (reply) => this.settle(state, reply),
        (error: unknown) => state.reject(error),
      );
    }
  }

  private settle(state: RequestState, reply: EmulatorReply): void {
    const request = state.request as SentRequest; // RequestState.request is `any` in GramJS's typings
    if (this.deaf) {
      this.unanswered.push(state);
      return;
    }
    if (!reply.ok && 'transportError' in reply) {
      this.transportFailure(state, reply.transportError);
      return;
    }
    if (reply.ok) {
      try {
        state.resolve(request.readResult(new BinaryReader(reply.body)));
      } catch (error) {
        state.reject(error);
      }
      return;
    }
    const error: unknown = RPCMessageToError(
      new Api.RpcError({ errorCode: reply.errorCode, errorMessage: reply.errorMessage }),
      state.request,
    );
    // MTProtoSender._recvLoop → _handleBadAuthKey(true): exported senders report a dead key to the client.
    const badKey = reply.errorMessage === 'AUTH_KEY_UNREGISTERED' || reply.errorMessage === 'SESSION_REVOKED';
    if (badKey && !this._isMainSender) void this.options.onConnectionBreak?.(this._dcId);
    state.reject(error);
  }

  /**
   * What MTProtoSender (2.26.22) does with a transport error: InvalidBufferError(−404) in _recvLoop →
   * _handleBadAuthKey(): the main sender reports UpdateConnectionState.broken through its update
   * callback, an exported one calls onConnectionBreak; the receive loop ends without a reconnect, so the
   * request stays unanswered. Any other code: it reconnects.
   */
  private transportFailure(state: RequestState, code: number): void {
    this.unanswered.push(state);
    if (code !== -404) {
      this.options.logger.warn(`Invalid buffer ${-code} for dc ${this._dcId}`);
      this.reconnect();
      return;
    }
    this.deaf = true;
    this.options.logger.warn(`Broken authorization key for dc ${this._dcId}, resetting...`);
    if (this._isMainSender) {
      this.options.updateCallback?.(
        this.options.client,
        new UpdateConnectionState(UpdateConnectionState.broken),
      );
    } else {
      void this.options.onConnectionBreak?.(this._dcId);
    }
  }

  private receiveUpdate(bytes: Buffer): void {
    const update = decodeObject(bytes);
    const subclass = (update as { SUBCLASS_OF_ID?: unknown } | null)?.SUBCLASS_OF_ID;
    if (subclass !== UPDATES_SUBCLASS_ID) return;
    this.options.updateCallback?.(this.options.client, update);
  }
}

/** GramJS types `_sender` as the concrete MTProtoSender; the fake provides the surface GramJS uses. */
export function asMTProtoSender(sender: FakeMTProtoSender): MTProtoSender {
  return sender as unknown as MTProtoSender; // duck-typed stand-in, see FakeMTProtoSender
}
