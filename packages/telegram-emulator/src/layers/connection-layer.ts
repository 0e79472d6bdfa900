import { LAYER as BASE_LAYER } from 'telegram/tl/AllTLObjects';
import { defaultLayerTranslator, type LayerTranslator } from './layer-translator';

const INVOKE_WITH_LAYER = 0xda9b0d0d;

/** A request ready for the world (base layer), or the rpc_error Telegram answers for one it cannot read. */
export type Inbound =
  | { readonly ok: true; readonly body: Buffer; readonly resultType?: string }
  | { readonly ok: false; readonly errorCode: number; readonly errorMessage: string };

/**
 * The layer one connection speaks: saved from the first invokeWithLayer (api/invoking) and used for every
 * later request and answer on it. Without one, or in the base layer, bytes pass unchanged.
 */
export class ConnectionLayer {
  layer?: number;

  /** The schemas are read (about a second) only once a client declares a layer other than the world's. */
  constructor(private readonly translatorOf: () => LayerTranslator = defaultLayerTranslator) {}

  private get translator(): LayerTranslator | undefined {
    return this.layer === undefined || this.layer === BASE_LAYER ? undefined : this.translatorOf();
  }

  inbound(body: Buffer): Inbound {
    if (body.length >= 8 && body.readUInt32LE(0) === INVOKE_WITH_LAYER) this.layer = body.readInt32LE(4);
    const translator = this.translator;
    if (!translator?.translates(this.layer)) return { ok: true, body };
    try {
      return { ok: true, ...translator.request(body, this.layer) };
    } catch {
      // A constructor of the client's layer the world has no counterpart for (a method newer than it).
      return { ok: false, errorCode: 400, errorMessage: 'INPUT_METHOD_INVALID' };
    }
  }

  /** An answer (of `type`, from inbound) or an update (`Updates`) from the world, in this connection's layer. */
  outbound(body: Buffer, type: string | undefined): Buffer {
    const translator = this.translator;
    if (type === undefined || !translator?.translates(this.layer)) return body;
    return translator.result(body, type, this.layer);
  }
}
