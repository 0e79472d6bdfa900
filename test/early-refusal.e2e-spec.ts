import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startService, type ServiceProcess } from './support/service-process';

const MB = 1024 * 1024;
const TRIES = 5;

/** The status fetch reports, or the network error's code when it reports none. */
async function outcome(request: () => Promise<Response>): Promise<number | string> {
  try {
    const res = await request();
    await res.arrayBuffer();
    return res.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
}

/**
 * Issue 26, item 6: a refusal sent before the body is read (413 for a Content-Length over the limit,
 * 401 for a bad token on an upload) reaches Node's fetch as a status, not as a reset connection
 * (EPIPE) — against the service as a process, over real TCP, a few times each (it is a race).
 */
describe('issue 26: early refusals reach the client while it is still writing', () => {
  let db: TestDatabase;
  let dataDir: string;
  let p: ServiceProcess;
  const token = jwt.sign({ user_id: 1 }, TEST_JWT_SECRET, { expiresIn: 600 });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'early-refusal-'));
    p = await startService({ DATABASE_URL: db.url, DATA_DIR: dataDir, RATE_LIMIT_ENABLED: 'false' });
  });
  afterAll(async () => {
    p.kill('SIGKILL');
    await p.exit.catch(() => undefined);
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a 5 MB JSON body (limit 1 MB): fetch sees 413 every time', async () => {
    const body = JSON.stringify({ bot_token: 'x'.repeat(5 * MB) });
    const seen: (number | string)[] = [];
    for (let i = 0; i < TRIES; i++) {
      seen.push(
        await outcome(() =>
          fetch(`${p.base}/api/v1/telegram/bots`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body,
          }),
        ),
      );
    }
    expect(seen).toEqual(Array(TRIES).fill(413));
  });

  it('a bad or missing token on a 5 MB multipart upload: fetch sees 401 every time', async () => {
    const form = new FormData();
    form.set('text', 'hello');
    form.set('file', new Blob([new Uint8Array(5 * MB)], { type: 'image/png' }), 'big.png');
    const seen: (number | string)[] = [];
    for (let i = 0; i < TRIES; i++) {
      for (const headers of [{ authorization: 'Bearer not-a-token' }, {}] as Record<string, string>[]) {
        seen.push(
          await outcome(() =>
            fetch(`${p.base}/api/v1/telegram/send`, { method: 'POST', headers, body: form }),
          ),
        );
      }
    }
    expect(seen).toEqual(Array(TRIES * 2).fill(401));
  });

  it('a streamed body without Content-Length: 413 once over the limit, still seen by fetch', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    const seen: (number | string)[] = [];
    for (let i = 0; i < TRIES; i++) {
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 5 * MB) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      seen.push(
        await outcome(() =>
          fetch(`${p.base}/api/v1/telegram/bots`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: stream,
            duplex: 'half',
          } as RequestInit),
        ),
      );
    }
    expect(seen).toEqual(Array(TRIES).fill(413));
  });
});
