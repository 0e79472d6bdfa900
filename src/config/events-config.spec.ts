import { loadConfig, ConfigValidationError } from './app-config';

describe('events configuration', () => {
  const base = { JWT_SECRET: 'x'.repeat(32) };

  it('defaults: the integration.events exchange, 72 h retention, 5 s to authenticate a socket', () => {
    const { events } = loadConfig(base);
    expect(events).toMatchObject({
      exchange: 'integration.events',
      retentionHours: 72,
      relayIntervalMs: 500,
      ws: { authTimeoutMs: 5000, maxConnectionsPerUser: 10 },
    });
  });

  it('refuses a bad exchange name and out-of-range numbers, one line per variable', () => {
    let problems: string[] = [];
    try {
      loadConfig({
        ...base,
        EVENTS_EXCHANGE: 'bad name!',
        EVENTS_RETENTION_HOURS: '0',
        WS_MAX_CONNECTIONS_PER_USER: 'many',
      });
    } catch (error) {
      problems = (error as ConfigValidationError).problems;
    }
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/EVENTS_EXCHANGE/);
    expect(problems.join('\n')).toMatch(/EVENTS_RETENTION_HOURS/);
    expect(problems.join('\n')).toMatch(/WS_MAX_CONNECTIONS_PER_USER/);
  });
});
