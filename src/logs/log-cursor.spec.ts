import { BadRequestError } from '../common/errors/app-error';
import { decodeCursor, encodeCursor } from './log-cursor';

describe('log cursor', () => {
  const position = { createdAt: '2026-11-25T10:00:00.123456Z', id: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21' };

  it('round-trips a position and is opaque (base64url)', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['garbage', 'not-base64-json'],
    ['wrong fields', Buffer.from('{"a":1}').toString('base64url')],
    [
      'millisecond timestamp',
      Buffer.from('{"t":"2026-11-25T10:00:00.123Z","i":"3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21"}').toString(
        'base64url',
      ),
    ],
    [
      'SQL in the id',
      Buffer.from('{"t":"2026-11-25T10:00:00.123456Z","i":"1\' OR 1=1 --"}').toString('base64url'),
    ],
    // hardening #4: well-formed cursors holding dates PostgreSQL refuses (22008) were a 500.
    ['an impossible date (30 February)', cursorOf('2026-02-30T10:00:00.123456Z')],
    ['an impossible month', cursorOf('2026-13-01T10:00:00.123456Z')],
    ['an impossible hour', cursorOf('2026-11-25T24:00:00.123456Z')],
    ['an impossible second', cursorOf('2026-11-25T10:00:61.123456Z')],
    ['year zero', cursorOf('0000-01-01T00:00:00.000000Z')],
  ])('rejects %s with a 400 invalid_cursor naming the cursor', (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(BadRequestError);
    try {
      decodeCursor(cursor);
    } catch (error) {
      expect((error as BadRequestError).code).toBe('invalid_cursor');
      expect((error as BadRequestError).details.errors).toEqual([
        expect.objectContaining({ field: 'cursor' }),
      ]);
    }
  });

  it('accepts a leap day and the last microsecond of a year', () => {
    expect(decodeCursor(cursorOf('2028-02-29T00:00:00.000000Z')).createdAt).toBe(
      '2028-02-29T00:00:00.000000Z',
    );
    expect(decodeCursor(cursorOf('2026-12-31T23:59:59.999999Z')).createdAt).toBe(
      '2026-12-31T23:59:59.999999Z',
    );
  });
});

function cursorOf(t: string): string {
  return Buffer.from(JSON.stringify({ t, i: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21' })).toString('base64url');
}
