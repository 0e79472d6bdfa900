import { client, helpers, Logger, password, sessions, utils } from 'telegram';

/**
 * The parts of GramJS the gateway uses, taken from the package's root (`telegram` has no `exports`
 * map, so only its root is its public entry point): no file imports a path below it.
 */
export const { StringSession } = sessions;
export type StringSession = InstanceType<typeof StringSession>;
export const { returnBigInt } = helpers;
export const { computeCheck } = password;
export const { DEFAULT_DELIMITERS } = client.messageParse;
export type TelegramClientParams = client.telegramBaseClient.TelegramClientParams;
/** GramJS's Logger level type (its enum is not exported from the root; its values are these strings). */
export type GramJsLogLevel = Parameters<Logger['canSend']>[0];

/** GramJS's own parser for a parse mode (`'html'` or `'md'`), as `sendMessage` uses it. */
export function parserFor(mode: 'html' | 'md'): client.messageParse.ParseInterface {
  return utils.sanitizeParseMode(mode);
}
