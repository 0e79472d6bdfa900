import { safeMessage } from './health.service';

describe('issue 26: health messages never name a dependency address', () => {
  it.each([
    ['connect ECONNREFUSED 127.0.0.1:5432', 'connect ECONNREFUSED [address]'],
    ['connect ECONNREFUSED ::1:5432', 'connect ECONNREFUSED [address]'],
    ['connect ETIMEDOUT [fd00::5]:5432', 'connect ETIMEDOUT [address]'],
    ['getaddrinfo ENOTFOUND db.internal.example', 'getaddrinfo ENOTFOUND [address]'],
    ['connect to postgres.internal:5432 failed', 'connect to [address] failed'],
    ['postgresql://u:p@db:5432/x is down', '[url] is down'],
    ['database check timed out after 1000 ms', 'database check timed out after 1000 ms'],
  ])('%s', (raw, safe) => {
    expect(safeMessage(new Error(raw))).toBe(safe);
  });
});
