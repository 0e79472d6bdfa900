import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { BadRequestError } from '../../common/errors/app-error';

/** The session formats people arrive with; converted by @mtcute/convert (docs/accounts-bots-channels.md). */
export const SESSION_FORMATS = ['telethon', 'pyrogram', 'gramjs', 'tdata'] as const;
export type SessionFormat = (typeof SESSION_FORMATS)[number];

/** Telegram's production DCs: a session naming another (or a test DC) cannot be one of ours. */
const TELEGRAM_DCS = new Set([1, 2, 3, 4, 5]);
/** A Telegram Desktop tdata folder is a few hundred KB: more than this unpacked is not one. */
const TDATA_MAX_UNPACKED_BYTES = 16 * 1024 * 1024;
const TDATA_MAX_FILES = 200;

export interface ImportedSession {
  /** The same authorization as a GramJS StringSession, the form the gateway keeps. */
  gramjs: string;
  dcId: number;
  /** The application id the session says it was made with (Pyrogram keeps it), when it says. */
  apiId: number | null;
}

/**
 * Reads a session in `format` into the gateway's form. Never echoes the session: a session that
 * cannot be read is 400 `session_invalid` naming only the format and what was wrong with its shape.
 */
export async function readImportedSession(
  format: SessionFormat,
  session: string | Buffer,
): Promise<ImportedSession> {
  // Loaded on first use, as ES modules: its CommonJS bundle warns on stdout that it is deprecated.
  const convert = await import('@mtcute/convert');
  const { convertFromGramjsSession, convertFromPyrogramSession, convertFromTelethonSession } = convert;
  let converted;
  let apiId: number | null = null;
  try {
    if (format === 'tdata') {
      const zip = typeof session === 'string' ? Buffer.from(session, 'base64') : session;
      converted = await fromTdataZip(zip, convert.convertFromTdata);
    } else {
      const text = (typeof session === 'string' ? session : session.toString('utf8')).trim();
      if (format === 'telethon') converted = convertFromTelethonSession(text);
      else if (format === 'gramjs') converted = convertFromGramjsSession(text);
      else {
        apiId = convert.parsePyrogramSession(text).apiId ?? null;
        converted = convertFromPyrogramSession(text);
      }
    }
  } catch (error) {
    if (error instanceof BadRequestError) throw error;
    throw invalid(format, 'its contents are not a session of this format');
  }
  const dc = converted.primaryDcs?.main;
  if (!dc || converted.authKey?.length !== 256)
    throw invalid(format, 'it holds no complete authorization key');
  if (dc.testMode) throw invalid(format, 'it was made on Telegram’s test servers');
  if (!TELEGRAM_DCS.has(dc.id)) throw invalid(format, `DC ${dc.id} is not one of Telegram’s data centres`);
  return { gramjs: convert.convertToGramjsSession(converted), dcId: dc.id, apiId };
}

function invalid(format: SessionFormat, why: string): BadRequestError {
  return new BadRequestError('session_invalid', `The ${format} session cannot be read: ${why}`);
}

/** Unpacks a zipped tdata folder into a private temporary directory, reads account 0, removes the directory. */
async function fromTdataZip(
  zip: Buffer,
  convertFromTdata: typeof import('@mtcute/convert').convertFromTdata,
) {
  let unpacked = 0;
  let files = 0;
  const entries = unzipSync(new Uint8Array(zip), {
    filter: (file) => {
      unpacked += file.originalSize;
      files += 1;
      if (unpacked > TDATA_MAX_UNPACKED_BYTES || files > TDATA_MAX_FILES)
        throw invalid('tdata', 'the zip is larger than a tdata folder');
      return !file.name.endsWith('/');
    },
  });
  const names = Object.keys(entries);
  const keyData = names.find((name) => name === 'key_datas' || name.endsWith('/key_datas'));
  if (!keyData) throw invalid('tdata', 'the zip holds no key_datas file');
  const root = await mkdtemp(join(tmpdir(), 'tdata-import-'));
  try {
    for (const name of names) {
      const target = normalize(join(root, name));
      if (!target.startsWith(root + sep)) throw invalid('tdata', 'the zip names a path outside its folder');
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, entries[name], { mode: 0o600 });
    }
    return await convertFromTdata({ path: join(root, dirname(keyData)) });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
