import { createHash } from 'node:crypto';

/**
 * The emulator's bots. Token `99977DNNNN:` + 35 characters of `[A-Za-z0-9_-]`: bot id 99977DNNNN
 * (the digits before the colon), home DC D (1–3), username `emu_NNNN_bot`. Any other well-formed
 * token is unknown to this Telegram (ACCESS_TOKEN_INVALID). A bot revoked in "BotFather" keeps its id:
 * the tokens seen so far stop working (ACCESS_TOKEN_EXPIRED) and every key signed in as it is signed
 * out (AUTH_KEY_UNREGISTERED); a token with another secret part is the new one and works.
 */
export interface EmulatedBot {
  readonly botId: bigint;
  readonly homeDcId: number;
  readonly suffix: number;
  readonly username: string;
  readonly firstName: string;
  readonly accessHash: bigint;
  /** `bot_nochats` is the inverse: false for bots that may be added to groups. */
  readonly canJoinGroups: boolean;
}

const EMULATED_TOKEN = /^(99977([1-3])(\d{4})):[A-Za-z0-9_-]{35}$/;
const BOT_ID_RE = /^99977([1-3])(\d{4})$/;

function botFrom(idDigits: string): EmulatedBot | undefined {
  const match = BOT_ID_RE.exec(idDigits);
  if (!match) return undefined;
  const suffix = Number(match[2]);
  return {
    botId: BigInt(idDigits),
    homeDcId: Number(match[1]),
    suffix,
    username: `emu_${match[2]}_bot`,
    firstName: `Emulated bot ${match[2]}`,
    accessHash: createHash('sha256').update(`emulator-bot:${idDigits}`).digest().readBigInt64LE(0),
    canJoinGroups: true,
  };
}

/** The bot a token names, or undefined when this Telegram has no such bot. */
export function lookupBotByToken(token: string): EmulatedBot | undefined {
  const match = EMULATED_TOKEN.exec(token);
  return match ? botFrom(match[1]) : undefined;
}

/** The bot with this Telegram id. */
export function lookupBotById(botId: bigint): EmulatedBot | undefined {
  return botFrom(botId.toString());
}

/** Which tokens BotFather revoked, by bot id. Part of one emulator world. */
export class BotRegistry {
  private readonly seenTokens = new Map<string, Set<string>>();
  private readonly revokedTokens = new Set<string>();

  /** Records a token presented to auth.importBotAuthorization (so a revoke can reach it). */
  seen(bot: EmulatedBot, token: string): void {
    const id = bot.botId.toString();
    let tokens = this.seenTokens.get(id);
    if (!tokens) this.seenTokens.set(id, (tokens = new Set()));
    tokens.add(token);
  }

  isRevoked(token: string): boolean {
    return this.revokedTokens.has(token);
  }

  /** Revokes every token of the bot seen so far; answers how many. */
  revoke(botId: bigint): number {
    const tokens = this.seenTokens.get(botId.toString()) ?? new Set<string>();
    for (const token of tokens) this.revokedTokens.add(token);
    return tokens.size;
  }
}
