import { AppError, ConflictError, NotFoundError } from '../../common/errors/app-error';

export class MessageNotFoundError extends NotFoundError {
  constructor() {
    super('No such message');
  }
}

/** The same Idempotency-Key came with a different request (422). */
export class IdempotencyKeyReusedError extends AppError {
  readonly kind = 'unprocessable';
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('This Idempotency-Key was already used for a different request');
  }
}

/** Our channel rows say this sender cannot post in that chat (422, before anything is queued). */
export class SenderCannotPostError extends AppError {
  readonly kind = 'unprocessable';
  readonly code = 'sender_cannot_post';
  constructor(reason: string) {
    super(reason);
  }
}

export class SenderNotFoundError extends NotFoundError {
  constructor(what: 'account' | 'bot') {
    super(what === 'account' ? 'No such Telegram account' : 'No such bot');
  }
}

export class SenderInactiveError extends ConflictError {
  constructor() {
    super('sender_inactive', 'The sender is not connected (revoked, removed or logged out)');
  }
}

export class ChatNotFoundError extends NotFoundError {
  constructor() {
    super('No such chat among your channels: sync the account’s channels first, or give channel_id');
  }
}

export class MessageNotCancellableError extends ConflictError {
  constructor(status: string) {
    super(
      'message_not_cancellable',
      `The message is ${status}: only a queued or waiting message can be cancelled`,
    );
  }
}

export class FileTooLargeError extends AppError {
  readonly kind = 'too_large';
  readonly code = 'file_too_large';
  constructor(maxBytes: number) {
    super(`The file is larger than SEND_MEDIA_MAX_BYTES (${maxBytes} bytes)`);
  }
}
