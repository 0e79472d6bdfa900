import type { EmulatedChatKind } from '../dialogs';
import type { DeliveredMessage } from '../messages';
import { EmulatorControlError } from '../errors';
import type { EmulatorNetwork } from '../server/client-factory';
import type { RevocationReason } from '../world-state';
import type { EmulatorControlPort, EmulatorCreatedChat, FaultRequest } from './emulator-control-port';

const TIMEOUT_MS = 5000;

/** The emulator server process is away or broke (a service answers 503, as for any dependency). */
export class EmulatorServerUnavailableError extends Error {
  constructor(detail: string) {
    super(`The Telegram emulator server cannot be reached (${detail}); try again shortly`);
    this.name = 'EmulatorServerUnavailableError';
  }
}

/**
 * The development control operations sent to an emulator server process over its local HTTP control port
 * (`npm run emulator`, see control-http.ts): used when TELEGRAM_EMULATOR_URL points the service at one.
 */
export class RemoteEmulatorControl implements EmulatorControlPort {
  constructor(private readonly baseUrl: string) {}

  network(): Promise<EmulatorNetwork> {
    return this.request<EmulatorNetwork>('GET', '/v1/network');
  }

  async revokeSessions(
    sessions: readonly string[],
    phone: string,
    reason: RevocationReason,
  ): Promise<number> {
    return (
      await this.request<{ revoked: number }>('POST', '/v1/sessions/revoke', { sessions, phone, reason })
    ).revoked;
  }

  async scanQrToken(token: string, phone: string): Promise<void> {
    await this.request('POST', '/v1/qr/scan', { token, phone });
  }

  async revokeBotToken(token: string): Promise<number | undefined> {
    return (
      (await this.request<{ revoked: number | null }>('POST', '/v1/bots/revoke', { token })).revoked ??
      undefined
    );
  }

  async createChat(
    phone: string,
    kind: EmulatedChatKind,
    title: string,
  ): Promise<EmulatorCreatedChat | undefined> {
    return (
      (await this.request<{ chat: EmulatorCreatedChat | null }>('POST', '/v1/chats', { phone, kind, title }))
        .chat ?? undefined
    );
  }

  async leaveChat(phone: string, chatId: string): Promise<boolean> {
    return (await this.request<{ left: boolean }>('POST', '/v1/chats/leave', { phone, chat_id: chatId }))
      .left;
  }

  async addBotToChat(chatId: string, botUserId: string, admin: boolean): Promise<boolean> {
    const body = { chat_id: chatId, bot_user_id: botUserId, admin };
    return (await this.request<{ added: boolean }>('POST', '/v1/chats/add-bot', body)).added;
  }

  async forgetKeys(phone: string, sessions?: readonly string[]): Promise<number> {
    return (await this.request<{ forgotten: number }>('POST', '/v1/keys/forget', { phone, sessions }))
      .forgotten;
  }

  async migrateUser(phone: string, dc: number): Promise<boolean> {
    return (await this.request<{ migrated: boolean }>('POST', '/v1/users/migrate', { phone, dc })).migrated;
  }

  async floodNext(sender: string, seconds: number): Promise<void> {
    await this.request('POST', '/v1/flood', { sender, seconds });
  }

  async chatMessages(chatId: string): Promise<readonly DeliveredMessage[]> {
    const path = `/v1/chats/messages?chat_id=${encodeURIComponent(chatId)}`;
    return (await this.request<{ messages: DeliveredMessage[] }>('GET', path)).messages;
  }

  async fault(request: FaultRequest): Promise<number | undefined> {
    return (await this.request<{ connections: number }>('POST', '/v1/faults', request)).connections;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new EmulatorServerUnavailableError(error instanceof Error ? error.name : 'network error');
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status === 409 && typeof json.reason === 'string')
      throw new EmulatorControlError(json.reason);
    if (!response.ok) throw new EmulatorServerUnavailableError(`HTTP ${response.status}`);
    return json as T;
  }
}
