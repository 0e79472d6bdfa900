import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcess } from './service-process';
import { emulatorCode } from './telegram';

/** A chat one sender may post in: the sender's session and the chat's row and Telegram ids. */
export interface Lane {
  session: string;
  channelRowId: string;
  chatId: string;
}

/** One POST /send of a load and how it was answered. */
export interface Posted {
  text: string;
  lane: Lane;
  status: number;
  retryAfter: string | null;
  id?: string;
}

/** The chats an emulated account may post in without slow mode: 1 (its channel), 3 (admin), 5 (group). */
const POSTABLE = /^(Channel 1|Supergroup 3|Group 5) of /;

async function ok(
  service: ServiceProcess,
  user: number,
  method: string,
  path: string,
  body?: unknown,
  status = 200,
): Promise<Record<string, unknown>> {
  const res = await service.request(user, method, path, body);
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Phone-code login to the end through the service's HTTP API. Answers the session id. */
export async function loginOver(service: ServiceProcess, user: number, phone: string): Promise<string> {
  await ok(service, user, 'POST', '/api/v1/telegram/connect', { phone });
  let res = await ok(service, user, 'POST', '/api/v1/telegram/connect', { phone, code: emulatorCode(phone) });
  if (res.status === '2fa_required') {
    res = await ok(service, user, 'POST', '/api/v1/telegram/connect', { phone, password: 'emulator-2fa' });
  }
  if (res.status !== 'success') throw new Error(`login of ${phone}: ${JSON.stringify(res)}`);
  return res.session_id as string;
}

/** Logs accounts in (phones `prefix` + 01, 02 …) and syncs their chats until there are `count` lanes. */
export async function findLanes(
  service: ServiceProcess,
  user: number,
  prefix: string,
  count: number,
): Promise<Lane[]> {
  const found: Lane[] = [];
  const known = new Set<string>();
  for (let n = 1; found.length < count; n++) {
    const session = await loginOver(service, user, `${prefix}${String(n).padStart(2, '0')}`);
    await ok(service, user, 'POST', '/api/v1/telegram/channels/sync', { session_id: session });
    const list = await ok(service, user, 'GET', '/api/v1/telegram/channels?size=100');
    for (const row of list.items as { id: string; channel_id: string; title: string }[]) {
      if (known.has(row.id)) continue;
      known.add(row.id);
      if (POSTABLE.test(row.title) && found.length < count)
        found.push({ session, channelRowId: row.id, chatId: row.channel_id });
    }
  }
  return found;
}

/**
 * Posts one message per lane per round (texts `${tag} ${n}`) until `total` were accepted, a round
 * at least every `roundMs` (throws once `gone` says the service exited); answers every POST and its
 * answer, 503s included.
 */
export async function postLoad(
  service: ServiceProcess,
  user: number,
  lanes: Lane[],
  tag: string,
  total: number,
  roundMs: number,
  gone: () => boolean,
): Promise<Posted[]> {
  const posted: Posted[] = [];
  let accepted = 0;
  for (let n = 0; accepted < total;) {
    if (gone()) throw new Error(`the service is gone after ${accepted} accepted messages`);
    const started = Date.now();
    const round = lanes.slice(0, Math.min(lanes.length, total - accepted)).map((lane) => ({
      lane,
      text: `${tag} ${n++}`,
    }));
    const answers = await Promise.all(
      round.map(async ({ lane, text }): Promise<Posted> => {
        try {
          const res = await service.request(user, 'POST', '/api/v1/telegram/send', {
            session_id: lane.session,
            channel_id: lane.channelRowId,
            text,
          });
          const id = typeof res.body.message_id === 'string' ? res.body.message_id : undefined;
          return { text, lane, status: res.status, retryAfter: res.headers.get('retry-after'), id };
        } catch {
          return { text, lane, status: 0, retryAfter: null }; // no answer at all
        }
      }),
    );
    posted.push(...answers);
    accepted += answers.filter((a) => a.status === 202).length;
    await sleep(Math.max(0, roundMs - (Date.now() - started)));
  }
  return posted;
}

/** Phone logins (code, then sign-in) in a loop until `stop` says so; answers every status seen. */
export async function loginLoad(
  service: ServiceProcess,
  user: number,
  phones: string[],
  stop: () => boolean,
): Promise<number[]> {
  const statuses: number[] = [];
  const one = async (phone: string) => {
    while (!stop()) {
      const code = await service.request(user, 'POST', '/api/v1/telegram/connect', { phone });
      statuses.push(code.status);
      if (code.status === 200 && code.body.status === 'code_required') {
        const signed = await service.request(user, 'POST', '/api/v1/telegram/connect', {
          phone,
          code: emulatorCode(phone),
        });
        statuses.push(signed.status);
      }
      await sleep(code.status === 503 ? 300 : 100);
    }
  };
  await Promise.all(phones.map((phone) => one(phone).catch(() => statuses.push(0))));
  return statuses;
}
