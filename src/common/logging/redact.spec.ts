import { maskPhone, REDACTED, scrub, scrubText } from './redact';

describe('redaction', () => {
  it('masks phone numbers keeping the country code and the last two digits', () => {
    expect(maskPhone('+9996621234')).toBe('+999*****34');
    expect(maskPhone('9996621234')).toBe('999*****34');
    expect(maskPhone('123')).toBe('***');
  });

  it('replaces secret-named keys at any depth, keeping the shape', () => {
    const out = scrub({
      user: { password: 'p', nested: [{ session_string: 's', bot_token: 't' }] },
      code: '22222',
      authorization: 'Bearer x',
      api_hash: 'h',
      phone_code_hash: 'pch',
      dc_id: 2,
      phone: '+9996621234',
    });
    expect(out).toEqual({
      user: { password: REDACTED, nested: [{ session_string: REDACTED, bot_token: REDACTED }] },
      code: REDACTED,
      authorization: REDACTED,
      api_hash: REDACTED,
      phone_code_hash: REDACTED,
      dc_id: 2,
      phone: '+999*****34',
    });
  });

  it('scrubs bearer tokens, JWTs, key=value secrets and phone numbers inside free text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl';
    const text = scrubText(
      `auth Bearer abc.def failed; token ${jwt}; password=emulator-2fa, phone +9996621234`,
    );
    expect(text).not.toContain('abc.def');
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('emulator-2fa');
    expect(text).toContain('+999*****34');
  });

  it('describes errors without leaking their secrets, and stops at a depth limit', () => {
    const out = scrub(new Error('bad password=hunter2')) as { message: string };
    expect(out.message).not.toContain('hunter2');
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 20; i++) deep = (deep.next = {}) as Record<string, unknown>;
    expect(JSON.stringify(scrub(root))).toContain('[Truncated]');
  });
});
