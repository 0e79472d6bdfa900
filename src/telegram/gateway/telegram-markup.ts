import type { Api } from 'telegram';
import { DEFAULT_DELIMITERS, parserFor } from './gramjs';

export type ParseMode = 'markdown' | 'html';

/** A markup problem, worded for the caller ("`**` opened at character 3 is never closed"). */
export class MarkupError extends Error {
  override readonly name = 'MarkupError';
}

/** What Telegram receives: the plain text and its entities (lengths in UTF-16 code units, as Telegram counts). */
export interface ParsedText {
  text: string;
  entities: Api.TypeMessageEntity[];
}

/** The tags GramJS's HTML parser turns into entities (anything else would be sent as lost text). */
const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  's',
  'del',
  'strike',
  'code',
  'pre',
  'a',
  'blockquote',
  'spoiler',
  'tg-emoji',
]);
const VOID_TAGS = new Set(['br']);
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>/g;

function checkHtml(html: string): void {
  const open: { name: string; at: number }[] = [];
  for (const match of html.matchAll(TAG)) {
    const [, closing, raw] = match;
    const name = raw.toLowerCase();
    const at = match.index + 1;
    if (VOID_TAGS.has(name)) continue;
    if (!HTML_TAGS.has(name)) throw new MarkupError(`unsupported HTML tag <${name}> at character ${at}`);
    if (!closing) {
      open.push({ name, at });
      continue;
    }
    const last = open.pop();
    if (!last) throw new MarkupError(`closing tag </${name}> at character ${at} has no opening tag`);
    if (last.name !== name) {
      throw new MarkupError(
        `tag <${last.name}> opened at character ${last.at} is closed by </${name}> at character ${at}`,
      );
    }
  }
  const unclosed = open.pop();
  if (unclosed)
    throw new MarkupError(`tag <${unclosed.name}> opened at character ${unclosed.at} is never closed`);
}

/** GramJS's markdown scan (extensions/markdown.ts), keeping track of what stays open: it drops those silently. */
function checkMarkdown(message: string): void {
  const delimiters = Object.keys(DEFAULT_DELIMITERS);
  const open = new Map<string, number>();
  let text = message;
  let i = 0;
  let removed = 0;
  while (i < text.length) {
    let foundIndex = -1;
    let found: string | undefined;
    for (const key of delimiters) {
      const index = text.indexOf(key, i);
      if (index > -1 && (foundIndex === -1 || index < foundIndex)) {
        foundIndex = index;
        found = key;
      }
    }
    if (found === undefined) break;
    if (open.has(found)) open.delete(found);
    else open.set(found, foundIndex + removed + 1);
    text = text.replace(found, '');
    removed += found.length;
    i = foundIndex;
  }
  const [first] = [...open.entries()].sort((a, b) => a[1] - b[1]);
  if (first) throw new MarkupError(`\`${first[0]}\` opened at character ${first[1]} is never closed`);
}

/** Parses the markup as GramJS sends it; MarkupError when it is malformed. Plain text when no mode. */
export function parseMarkup(text: string, mode: ParseMode | null | undefined): ParsedText {
  if (!mode) return { text, entities: [] };
  if (mode === 'html') {
    checkHtml(text);
    const [plain, entities] = parserFor('html').parse(text);
    return { text: plain, entities };
  }
  checkMarkdown(text);
  const [plain, entities] = parserFor('md').parse(text);
  return { text: plain, entities };
}
