import { ConflictError, NotFoundError } from '../../common/errors/app-error';

export class BotNotFoundError extends NotFoundError {
  constructor() {
    super('No such bot');
  }
}

/** The same bot is already among the caller's active bots. */
export class BotAlreadyAddedError extends ConflictError {
  constructor() {
    super('bot_already_added', 'This bot is already added; remove it first to add it again');
  }
}

/** The bot was removed or revoked: it cannot be used until it is added again with a working token. */
export class BotInactiveError extends ConflictError {
  constructor(message = 'This bot is inactive (removed or revoked); add it again with a current token') {
    super('bot_inactive', message);
  }
}
