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

  it('scrubs bearer tokens, JWTs and key=value secrets inside free text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl';
    const text = scrubText(`auth Bearer abc.def failed; token ${jwt}; password=emulator-2fa`);
    expect(text).not.toContain('abc.def');
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('emulator-2fa');
  });

  it('scrubs API keys in free text and under api-key fields, keeps api_key_id', () => {
    const key = `isk_${'Ab3_-'.repeat(8)}abc`;
    expect(scrubText(`refused ${key} here`)).toBe(`refused ${REDACTED} here`);
    expect(scrub({ 'x-api-key': key, api_key: key, api_key_id: 'k1' })).toEqual({
      'x-api-key': REDACTED,
      api_key: REDACTED,
      api_key_id: 'k1',
    });
  });

  describe('hardening #1: redaction works on known fields, never by a pattern over every string', () => {
    // UUIDs with ten or more digits in a row were masked as phone numbers (about 1 id in 100).
    const ids = ['9a3c1e2b-7c23-4e51-8d0a-123456789012', '12345678-1234-4123-8123-7c2321234567'];

    it.each(ids)('keeps %s intact in free text and in any field but a phone field', (id) => {
      expect(scrubText(`session ${id} connected`)).toBe(`session ${id} connected`);
      expect(scrub({ session_id: id, request_id: id, nested: { items: [id] } })).toEqual({
        session_id: id,
        request_id: id,
        nested: { items: [id] },
      });
    });

    it('masks phones under phone keys only', () => {
      expect(scrub({ phone: '+9996621234', phone_number: '9996621234', note: '+9996621234' })).toEqual({
        phone: '+999*****34',
        phone_number: '999*****34',
        note: '+9996621234',
      });
    });

    it('keeps an error code under `code` and redacts anything else there (a login code)', () => {
      expect(scrub({ code: 'dependency_unavailable' })).toEqual({ code: 'dependency_unavailable' });
      expect(scrub({ code: '22222' })).toEqual({ code: REDACTED });
      expect(scrub({ code: 'ABC-12' })).toEqual({ code: REDACTED });
    });
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
