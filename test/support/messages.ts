import type { LightMyRequestResponse } from 'fastify';
import { bearer, type TestApp } from './app';

export const SEND = '/api/v1/telegram/send';
export const MESSAGES = '/api/v1/telegram/messages';

export interface MessageView {
  id: string;
  status: string;
  attempts: number;
  telegram_message_id: string | null;
  error: { code: string; message: string } | null;
  random_id: string;
  chat_id: string;
  [key: string]: unknown;
}

export function send(
  t: TestApp,
  userId: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.inject({
    method: 'POST',
    url: SEND,
    headers: { ...bearer(t.token(userId)), ...headers },
    payload: body,
  });
}

/** A multipart/form-data body with the fields and one `file` part. */
export function multipart(
  fields: Record<string, string>,
  file: { name: string; type: string; content: Buffer },
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----h11boundary${Date.now().toString(16)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

export async function message(t: TestApp, userId: number, id: string): Promise<MessageView> {
  const res = await t.inject({ method: 'GET', url: `${MESSAGES}/${id}`, headers: bearer(t.token(userId)) });
  if (res.statusCode !== 200) throw new Error(`GET message: ${res.statusCode} ${res.body}`);
  return res.json<MessageView>();
}

/** Polls the message until `done` says so (or fails after `timeoutMs`), answering every status seen. */
export async function waitFor(
  t: TestApp,
  userId: number,
  id: string,
  done: (m: MessageView) => boolean,
  timeoutMs = 15_000,
): Promise<{ last: MessageView; seen: string[] }> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await message(t, userId, id);
    if (seen[seen.length - 1] !== last.status) seen.push(last.status);
    if (done(last)) return { last, seen };
    if (Date.now() > deadline)
      throw new Error(`message ${id} still ${last.status} (${JSON.stringify(last.error)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const isEnded = (m: MessageView) => ['sent', 'failed', 'cancelled'].includes(m.status);

export interface ChatRow {
  id: string;
  channel_id: string;
  type: string;
  title: string;
  username: string | null;
}

/** Syncs the account's chats and answers them by index (the emulator's chat N of that user). */
export async function syncChats(
  t: TestApp,
  userId: number,
  sessionId: string,
): Promise<Map<number, ChatRow>> {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/telegram/channels/sync',
    headers: bearer(t.token(userId)),
    payload: { session_id: sessionId },
  });
  if (res.statusCode !== 200) throw new Error(`sync: ${res.statusCode} ${res.body}`);
  const list = await t.inject({
    method: 'GET',
    url: '/api/v1/telegram/channels?size=100',
    headers: bearer(t.token(userId)),
  });
  const rows = list.json<{ items: ChatRow[] }>().items;
  return new Map(rows.map((r) => [Number(BigInt(r.channel_id.replace(/^-(100)?/, '')) % 10_000n), r]));
}

export async function history(t: TestApp, userId: number, chatId: string) {
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/dev/telegram-emulator/chats/${chatId}/messages`,
    headers: bearer(t.token(userId)),
  });
  if (res.statusCode !== 200) throw new Error(`history: ${res.statusCode} ${res.body}`);
  return res.json<{
    messages: {
      id: number;
      text: string;
      sender: { type: string; id: string };
      random_id: string;
      date: number;
      media?: { kind: string };
    }[];
  }>().messages;
}
