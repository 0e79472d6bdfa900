import { configProblems } from '../../test/support/config-problems';
import { loadConfig } from './app-config';

describe('loadConfig', () => {
  it('has working development defaults', () => {
    const config = loadConfig({}, '/srv');
    expect(config).toMatchObject({
      appName: 'Integration Service',
      version: '1.0.0',
      port: 8001,
      host: '127.0.0.1',
      dataDir: '/srv/data',
      logLevel: 'info',
      prometheusEnabled: true,
      rateLimit: { enabled: true, apiLimit: 120, apiWindowSeconds: 60, healthLimit: 60 },
      vault: {
        transitKey: 'telegram-sessions',
        kvTelegramPath: 'secret/data/integrations/telegram',
        timeoutMs: 5000,
      },
      logRetentionDays: 90,
    });
    expect(config.database.url).toBeUndefined();
  });

  it('TELEGRAM_EMULATOR_URL: tcp:// only; the control port defaults to its port + 3', () => {
    expect(loadConfig({ TELEGRAM_EMULATOR_URL: 'tcp://127.0.0.1:19443' }).telegram).toMatchObject({
      emulator: true,
      emulatorUrl: 'tcp://127.0.0.1:19443',
      emulatorControlUrl: 'http://127.0.0.1:19446',
      emulatorInProcess: false,
    });
    expect(
      loadConfig({ TELEGRAM_EMULATOR_URL: 'tcp://emu:1', TELEGRAM_EMULATOR_CONTROL_URL: 'http://emu:9' })
        .telegram.emulatorControlUrl,
    ).toBe('http://emu:9');
    expect(configProblems({ TELEGRAM_EMULATOR_URL: 'http://127.0.0.1:19443' }).join()).toContain(
      'TELEGRAM_EMULATOR_URL',
    );
  });

  it('DEBUG=true alone means debug logs; an explicit LOG_LEVEL wins', () => {
    expect(loadConfig({ DEBUG: 'true' }).logLevel).toBe('debug');
    expect(loadConfig({ DEBUG: 'true', LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it('reports every bad variable at once, never echoing a secret', () => {
    const problems = configProblems({
      PORT: '70000',
      JWT_SECRET: 'tiny-secret',
      VAULT_URL: 'ftp://vault',
      PROMETHEUS_ENABLED: 'sure',
    });
    expect(problems).toEqual([
      'JWT_SECRET: must be at least 32 characters long',
      'VAULT_URL: must use http: or https:, got "ftp:"',
      'PORT: must be between 0 and 65535, got 70000',
      'PROMETHEUS_ENABLED: must be true or false, got "sure"',
    ]);
    expect(problems.join()).not.toContain('tiny-secret');
  });

  it('does not echo credentials inside a malformed URL', () => {
    const problems = configProblems({ DATABASE_URL: 'not a url with password hunter2' });
    expect(problems).toEqual(['DATABASE_URL: must be a URL (postgres://… or postgresql://…)']);
  });

  it('needs a Vault auth method with VAULT_URL, and both Telegram credentials together', () => {
    expect(configProblems({ VAULT_URL: 'http://127.0.0.1:8200' })).toEqual([
      'VAULT_URL: needs VAULT_TOKEN, VAULT_ROLE_ID + VAULT_SECRET_ID, or VAULT_K8S_ROLE',
    ]);
    expect(configProblems({ TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef' })).toEqual([
      'TELEGRAM_API_ID: TELEGRAM_API_ID and TELEGRAM_API_HASH must be set together',
    ]);
    expect(configProblems({ TELEGRAM_API_ID: '12345', TELEGRAM_API_HASH: 'nothex' })).toEqual([
      'TELEGRAM_API_HASH: must be 32 hexadecimal characters',
    ]);
  });

  it('accepts a one-line PEM with \\n escapes and refuses both JWT settings at once', () => {
    const pem =
      '-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\\n-----END PUBLIC KEY-----';
    expect(loadConfig({ JWT_PUBLIC_KEY: pem }).jwt.publicKey).toContain('\n');
    expect(configProblems({ JWT_PUBLIC_KEY: 'abc' })).toEqual([
      'JWT_PUBLIC_KEY: must be a PEM public key (-----BEGIN PUBLIC KEY-----)',
    ]);
    expect(configProblems({ JWT_PUBLIC_KEY: pem, JWT_SECRET: 'x'.repeat(40) })).toEqual([
      'JWT_SECRET: set only one of JWT_SECRET, JWT_PUBLIC_KEY and JWT_JWKS_URL',
    ]);
  });

  it('production refuses development defaults unless explicitly allowed', () => {
    expect(configProblems({ NODE_ENV: 'production' })).toHaveLength(3);
    expect(configProblems({ NODE_ENV: 'production', ALLOW_DEVELOPMENT_DEFAULTS: 'true' })).toEqual([]);
    expect(
      configProblems({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgresql://u:p@db/x',
        VAULT_URL: 'https://vault:8200',
        VAULT_TOKEN: 's.token',
        JWT_SECRET: 'x'.repeat(40),
      }),
    ).toEqual([]);
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
  ])('%s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('refuses anything else', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });
});

describe('SEND_JOB_EXPIRY_SECONDS', () => {
  it('is unset by default (the queue then uses 4 × the call timeout, at least 60 s)', () => {
    expect(loadConfig({}).send.jobExpirySeconds).toBeUndefined();
  });

  it('takes 1–86400 seconds and refuses anything else', () => {
    expect(loadConfig({ SEND_JOB_EXPIRY_SECONDS: '5' }).send.jobExpirySeconds).toBe(5);
    expect(configProblems({ SEND_JOB_EXPIRY_SECONDS: '0' }).join()).toMatch(/SEND_JOB_EXPIRY_SECONDS/);
    expect(configProblems({ SEND_JOB_EXPIRY_SECONDS: 'soon' }).join()).toMatch(/SEND_JOB_EXPIRY_SECONDS/);
  });
});
