import { parseArgs } from 'node:util';
import { ensureJwtKeys } from '../common/auth/jwt-keys';
import { JwtVerifier } from '../common/auth/jwt-verifier';
import { cliConfig, type CliIo, reportError, UsageError } from './bootstrap';

const USAGE = 'usage: npm run token -- --user <id> [--expires-in <seconds>]';

/**
 * `npm run token -- --user 42 [--expires-in 3600]`: prints a bearer token for that user, signed with
 * JWT_SECRET or the generated development secret (the same one `npm start` uses).
 */
export async function tokenCommand(argv: string[], io: CliIo): Promise<number> {
  try {
    const values = readArgs(argv);
    const user = Number(values.user);
    const expiresIn = Number(values['expires-in']);
    if (!Number.isInteger(user) || user < 1 || user > 2 ** 31 - 1)
      throw new UsageError('--user must be a positive integer');
    if (!Number.isInteger(expiresIn) || expiresIn < 1)
      throw new UsageError('--expires-in must be a positive number of seconds');
    const config = ensureJwtKeys(cliConfig(io));
    if (!config.jwt.secret)
      throw new Error('JWT_PUBLIC_KEY is set: tokens are issued by the identity provider, not here');
    io.out(new JwtVerifier(config.jwt).sign(user, expiresIn));
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

function readArgs(argv: string[]): { user: string; 'expires-in': string } {
  try {
    return parseArgs({
      args: argv,
      options: {
        user: { type: 'string', default: '1' },
        'expires-in': { type: 'string', default: String(7 * 24 * 3600) },
      },
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}\n${USAGE}`);
  }
}
