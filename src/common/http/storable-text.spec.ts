import { InvalidCharactersError, assertStorable, isStorableText, unstorableFields } from './storable-text';

describe('issue 26: text PostgreSQL can store', () => {
  it.each([
    ['plain', 'hello', true],
    ['an emoji (a surrogate pair)', 'ok 👍🏽 ok', true],
    ['Cyrillic and CJK', 'Привет 你好', true],
    ['NUL', 'a\u0000b', false],
    ['a lone high surrogate', 'a\ud83d', false],
    ['a lone low surrogate', '\udc4db', false],
    ['a reversed pair', '\udc4d\ud83d', false],
  ])('%s', (_name, text, storable) => {
    expect(isStorableText(text)).toBe(storable);
  });

  it('names every bad field: nested keys and values, array items, the offending key escaped', () => {
    expect(
      unstorableFields({ text: 'x\u0000', settings: { 'k\u0000': 'v', deep: { list: ['ok', '\ud800'] } } }),
    ).toEqual([
      { field: 'text', message: expect.stringContaining('cannot be stored') },
      { field: 'settings.k\\u0000', message: expect.stringContaining('is a name') },
      { field: 'settings.deep.list[1]', message: expect.any(String) },
    ]);
  });

  it('throws one 400 invalid_characters error for path, query and body together', () => {
    let error: unknown;
    try {
      assertStorable([{ id: '\u0000' }], [{ search: 'ok' }], [{ title: '\udfff' }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidCharactersError);
    expect(error).toMatchObject({ kind: 'invalid', code: 'invalid_characters' });
    expect((error as InvalidCharactersError).problems.map((p) => p.field)).toEqual(['id', 'title']);
    expect(() => assertStorable([{ a: 'fine' }], [undefined], [null])).not.toThrow();
  });
});
