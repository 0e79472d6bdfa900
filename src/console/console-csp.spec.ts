import { consoleCsp } from './console-csp';

describe('consoleCsp', () => {
  it('allows only this origin, data: images and the WebSocket of this host', () => {
    const csp = consoleCsp('127.0.0.1:8001');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:8001 wss://127.0.0.1:8001");
    expect(csp).not.toContain('unsafe');
  });

  it('never repeats a Host header that is not a plain host and port', () => {
    const csp = consoleCsp('evil.example; script-src *');
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain('evil');
    expect(consoleCsp(undefined)).toContain("connect-src 'self';");
  });
});
