import { openProxiedTestApp, type ProxiedTestApp } from './support/proxied-app';

describe('health', () => {
  let t: ProxiedTestApp;

  beforeAll(async () => {
    // The app reaches PostgreSQL through the proxy, so the test can take the database away.
    t = await openProxiedTestApp({ RATE_LIMIT_ENABLED: 'false' });
  });

  afterAll(() => t.close());

  it('GET /health answers exactly the SPEC body', async () => {
    const res = await t.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'healthy', service: 'Integration Service', version: '1.0.0' });
  });

  it('liveness answers without touching a dependency', async () => {
    const res = await t.inject('/api/v1/health/liveness');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'alive' });
  });

  it('detailed lists the database component', async () => {
    const res = await t.inject('/api/v1/health/detailed');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'healthy', service: 'integration-service', version: '1.0.0' });
    expect(new Date(body.timestamp).getTime()).toBeGreaterThan(0);
    expect(body.components.database).toMatchObject({ status: 'healthy', type: 'PostgreSQL', critical: true });
    // No VAULT_URL: the local cipher stands in, Vault says so, and readiness does not depend on it;
    // the service as a whole is still healthy (not degraded).
    expect(body.components.vault).toMatchObject({
      status: 'not_configured',
      type: 'HashiCorp Vault',
      critical: false,
      configured: false,
      cipher: 'local-aes-256-gcm',
    });
  });

  it('readiness turns 503 while PostgreSQL is away and 200 when it returns; liveness stays 200', async () => {
    expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(200);

    t.proxy.goDown();
    const down = await t.inject('/api/v1/health/readiness');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect((await t.inject('/api/v1/health/liveness')).statusCode).toBe(200);
    const detailed = await t.inject('/api/v1/health/detailed');
    expect(detailed.statusCode).toBe(503);
    expect(detailed.json()).toMatchObject({
      status: 'unhealthy',
      components: { database: { status: 'unhealthy' } },
    });

    // A data route that needs the database answers 503, not 500.
    const accounts = await t.inject({
      url: '/api/v1/telegram/accounts',
      headers: { authorization: `Bearer ${t.token(1)}` },
    });
    expect(accounts.statusCode).toBe(503);
    expect(accounts.json()).toMatchObject({ code: 'dependency_unavailable', dependency: 'database' });

    t.proxy.comeBack();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await t.inject('/api/v1/health/readiness')).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
