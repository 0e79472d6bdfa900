import type { Account, Bot } from './types';

/**
 * How a person recognises a sender: an account by its phone (else @username, else its name), a bot by
 * its @username. Never by its row id: a UUID means nothing to the person reading the screen.
 */
export function accountName(account: Account): string | undefined {
  const meta = account.session_metadata;
  const name = [meta.first_name, meta.last_name].filter(Boolean).join(' ');
  return account.phone ?? (meta.username ? `@${meta.username}` : undefined) ?? (name || undefined);
}

export function botName(bot: Bot): string {
  return bot.username ? `@${bot.username}` : (bot.first_name ?? '?');
}

/** Names of the caller's accounts and bots by row id, for lists that only carry the ids. */
export function senderNames(accounts: Account[] = [], bots: Bot[] = []): Map<string, string> {
  const names = new Map<string, string>();
  for (const account of accounts) {
    const name = accountName(account);
    if (name) names.set(`account:${account.id}`, name);
  }
  for (const bot of bots) names.set(`bot:${bot.id}`, botName(bot));
  return names;
}
