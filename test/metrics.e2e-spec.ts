import { bearer, openTestApp, type OpenedTestApp } from './support/app';

describe('metrics', () => {
  let t: OpenedTestApp;

  beforeAll(async () => {
    t = await openTestApp({ RATE_LIMIT_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('labels requests by route template, method and status, and exposes process metrics', async () => {
    await t.inject({ url: '/api/v1/telegram/accounts', headers: bearer(t.token(5)) });
    await t.inject({ url: '/api/v1/telegram/accounts' });
    const res = await t.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const text = res.body;
    expect(text).toContain(
      'http_requests_total{method="GET",route="/api/v1/telegram/accounts",status="200"} 1',
    );
    expect(text).toContain(
      'http_requests_total{method="GET",route="/api/v1/telegram/accounts",status="401"} 1',
    );
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/telegram\/accounts",status="200"\}/,
    );
    expect(text).toContain('http_requests_inprogress');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('unknown paths share one label value instead of creating new series', async () => {
    for (const path of ['/a', '/b/c', '/api/v1/telegram/zzz-1', '/api/v1/telegram/zzz-2'])
      await t.inject(path);
    const text = (await t.inject('/metrics')).body;
    expect(text).toContain('http_requests_total{method="GET",route="UNMATCHED",status="404"} 4');
    expect(text).not.toContain('zzz-1');
    expect(text).not.toContain('route="/b/c"');
  });

  it('PROMETHEUS_ENABLED=false removes /metrics', async () => {
    const off = await openTestApp({ PROMETHEUS_ENABLED: 'false' });
    try {
      expect((await off.inject('/metrics')).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  });
});
