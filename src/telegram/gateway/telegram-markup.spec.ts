import { MarkupError, parseMarkup } from './telegram-markup';

describe('parseMarkup', () => {
  it('plain text passes through without entities', () => {
    expect(parseMarkup('a **b**', null)).toEqual({ text: 'a **b**', entities: [] });
  });

  it('markdown: entities as GramJS makes them; an unclosed delimiter is named with its position', () => {
    const parsed = parseMarkup('Hello **world** and `code`', 'markdown');
    expect(parsed.text).toBe('Hello world and code');
    expect(parsed.entities.map((e) => e.className)).toEqual(['MessageEntityBold', 'MessageEntityCode']);
    expect(() => parseMarkup('a **b', 'markdown')).toThrow(
      new MarkupError('`**` opened at character 3 is never closed'),
    );
  });

  it('html: supported tags become entities; unknown, unclosed or crossed tags are refused', () => {
    const parsed = parseMarkup('<b>Bold</b> <a href="https://example.org">link</a>', 'html');
    expect(parsed.text).toBe('Bold link');
    expect(parsed.entities).toHaveLength(2);
    expect(() => parseMarkup('<b>open', 'html')).toThrow('tag <b> opened at character 1 is never closed');
    expect(() => parseMarkup('<b><i>x</b></i>', 'html')).toThrow(
      'tag <i> opened at character 4 is closed by </b>',
    );
    expect(() => parseMarkup('<marquee>x</marquee>', 'html')).toThrow('unsupported HTML tag <marquee>');
    expect(() => parseMarkup('x</b>', 'html')).toThrow('closing tag </b> at character 2 has no opening tag');
    expect(parseMarkup('1 < 2 and 3 > 2', 'html').text).toBe('1 < 2 and 3 > 2');
  });
});
