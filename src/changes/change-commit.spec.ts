import type { AppConfig } from '../config/app-config';
import type { PinoLogger } from 'nestjs-pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxService } from '../events/outbox/outbox.service';
import type { AuditEntry, AuditLogService } from '../logs/audit-log.service';
import { ChangeCommit, type Change } from './change-commit';

const lost = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
/** The transaction's manager: ChangeCommit's only own statement is the commit deadline's set_config. */
const tx = { query: jest.fn(async () => []) } as unknown as EntityManager;

/**
 * A stand-in PostgreSQL that keeps what each transaction wrote, and loses connections when told:
 * `before` — the connection drops during the transaction (nothing committed); `landed` — COMMIT
 * reaches the server but its answer is lost; `unlanded` — COMMIT never reaches it.
 */
function world() {
  const stored: { audit: AuditEntry[]; events: unknown[] } = { audit: [], events: [] };
  const faults: ('before' | 'landed' | 'unlanded' | 'unique')[] = [];
  let pending: { audit: AuditEntry[]; events: unknown[] } | undefined;
  const dataSource = {
    transaction: async (work: (m: EntityManager) => Promise<unknown>) => {
      pending = { audit: [], events: [] };
      const fault = faults.shift();
      if (fault === 'before') throw lost();
      const result = await work(tx);
      const writes = pending;
      pending = undefined;
      if (fault === 'unlanded') throw lost();
      stored.audit.push(...writes.audit);
      stored.events.push(...writes.events);
      if (fault === 'landed') throw lost();
      return result;
    },
  } as unknown as DataSource;
  const audit = {
    recordIn: jest.fn(async (_tx: EntityManager, entry: AuditEntry) => {
      if (stored.audit.some((row) => row.id === entry.id)) {
        throw Object.assign(new Error('duplicate key value'), { code: '23505' });
      }
      pending!.audit.push(entry);
    }),
    committed: jest.fn(),
    wasWritten: jest.fn(async (_userId: number, id: string) => stored.audit.some((row) => row.id === id)),
  };
  const outbox = {
    add: jest.fn(async (_tx: EntityManager, draft: unknown) => void pending!.events.push(draft)),
  };
  const logger = { warn: jest.fn() } as unknown as PinoLogger;
  const commit = new ChangeCommit(
    dataSource,
    audit as unknown as AuditLogService,
    outbox as unknown as OutboxService,
    logger,
    { database: { queryTimeoutMs: 6000 } } as AppConfig,
  );
  return { commit, stored, faults, audit };
}

const entry = (action: string): AuditEntry => ({ userId: 7, action, status: 'success' });
const event = { type: 'telegram.bot.added' as const, subject: 'bots/1', userId: 7, data: {} };

describe('ChangeCommit', () => {
  it('writes the change, its audit rows (the first with a chosen id) and events, then counts the rows', async () => {
    const { commit, stored, audit } = world();
    const run = jest.fn(async (): Promise<Change<string>> => ({
      result: 'row',
      audit: [entry('a'), entry('b')],
      events: [event],
    }));
    const change = await commit.apply({ change: 'test' }, run);
    expect(change.result).toBe('row');
    expect(stored.audit).toEqual([{ ...entry('a'), id: expect.any(String) }, entry('b')]);
    expect(stored.events).toEqual([event]);
    expect(audit.committed).toHaveBeenCalledTimes(2);
    expect(audit.wasWritten).not.toHaveBeenCalled();
  });

  it('runs a change again when the connection dropped before its COMMIT', async () => {
    const { commit, stored, faults } = world();
    faults.push('before', 'before');
    const run = jest.fn(async () => ({ result: 1, audit: [entry('a')], events: [event] }));
    await commit.apply({ change: 'test' }, run);
    expect(run).toHaveBeenCalledTimes(1);
    expect(stored.audit).toHaveLength(1);
    expect(stored.events).toHaveLength(1);
  });

  it('a lost COMMIT that landed: answers that attempt, never runs the change again', async () => {
    const { commit, stored, faults, audit } = world();
    faults.push('landed');
    let n = 0;
    const run = jest.fn(async () => ({ result: ++n, audit: [entry('a')], events: [event] }));
    const change = await commit.apply({ change: 'test' }, run);
    expect(change.result).toBe(1);
    expect(run).toHaveBeenCalledTimes(1);
    expect(stored.audit).toHaveLength(1);
    expect(stored.events).toHaveLength(1);
    expect(audit.wasWritten).toHaveBeenCalledWith(7, stored.audit[0].id);
    expect(audit.committed).toHaveBeenCalledTimes(1);
  });

  it('a lost COMMIT that did not land: runs again with the same audit row id', async () => {
    const { commit, stored, faults, audit } = world();
    faults.push('unlanded');
    let n = 0;
    const run = jest.fn(async () => ({ result: ++n, audit: [entry('a')], events: [event] }));
    const change = await commit.apply({ change: 'test' }, run);
    expect(change.result).toBe(2);
    expect(stored.audit).toHaveLength(1);
    expect(stored.events).toHaveLength(1);
    const [firstTry, secondTry] = audit.recordIn.mock.calls.map(([, written]) => written.id);
    expect(secondTry).toBe(firstTry);
  });

  it('an earlier COMMIT that landed after all makes the retry fail on its key: resolved as committed', async () => {
    const { commit, stored, faults, audit } = world();
    faults.push('landed');
    audit.wasWritten.mockResolvedValueOnce(false); // the row was not visible yet when asked
    let n = 0;
    const run = jest.fn(async () => ({ result: ++n, audit: [entry('a')], events: [event] }));
    const change = await commit.apply({ change: 'test' }, run);
    expect(change.result).toBe(1);
    expect(run).toHaveBeenCalledTimes(2); // the second attempt rolled back on the audit row's key
    expect(stored.audit).toHaveLength(1);
    expect(stored.events).toHaveLength(1);
  });

  it('another error is thrown at once, without a retry', async () => {
    const { commit, stored } = world();
    const run = jest.fn(async (): Promise<Change<number>> => {
      throw new Error('bad query');
    });
    await expect(commit.apply({ change: 'test' }, run)).rejects.toThrow('bad query');
    expect(run).toHaveBeenCalledTimes(1);
    expect(stored.audit).toEqual([]);
  });

  it('a lost COMMIT of a change without an audit row cannot be resolved: it fails as it came', async () => {
    const { commit, faults } = world();
    faults.push('landed');
    const run = jest.fn(async () => ({ result: 1, audit: [], events: [event] }));
    await expect(commit.apply({ change: 'test' }, run)).rejects.toThrow('ECONNRESET');
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('gives up once PostgreSQL stays away longer than COMMIT_RETRY_MS', async () => {
    const { commit, faults, stored } = world();
    faults.push(...Array.from({ length: 100 }, () => 'before' as const));
    const started = Date.now();
    await expect(
      commit.apply({ change: 'test' }, async () => ({ result: 1, audit: [entry('a')] })),
    ).rejects.toThrow('ECONNRESET');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(stored.audit).toEqual([]);
  });
});
