/** An RPC error the emulated server answers (`rpc_error#2144ca19 error_code:int error_message:string`). */
export class RpcFailure extends Error {
  constructor(
    readonly errorCode: number,
    readonly errorMessage: string,
  ) {
    super(`${errorCode}: ${errorMessage}`);
    this.name = 'RpcFailure';
  }
}

export const badRequest = (message: string): RpcFailure => new RpcFailure(400, message);
export const unauthorized = (message: string): RpcFailure => new RpcFailure(401, message);

/** Thrown by the emulator's control API (scanQrToken, ...) with Telegram-like messages. */
export class EmulatorControlError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'EmulatorControlError';
  }
}
