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
  ])('rejects %s with a 400 naming the cursor', (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(BadRequestError);
    try {
      decodeCursor(cursor);
    } catch (error) {
      expect((error as BadRequestError).extra.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
  });
});
