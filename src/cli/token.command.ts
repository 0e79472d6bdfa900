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
    const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
    if (!Number.isInteger(user) || user < 1 || user > 2 ** 31 - 1)
      throw new UsageError('--user must be a positive integer');
    if (expiresIn !== undefined && (!Number.isInteger(expiresIn) || expiresIn < 1))
      throw new UsageError('--expires-in must be a positive number of seconds');
    const config = ensureJwtKeys(cliConfig(io));
    if (!config.jwt.secret)
      throw new Error('JWT_PUBLIC_KEY is set: tokens are issued by the identity provider, not here');
    if (expiresIn !== undefined && expiresIn > config.jwt.maxLifetimeSeconds)
      throw new UsageError(
        `--expires-in may be at most JWT_MAX_LIFETIME_SECONDS (${config.jwt.maxLifetimeSeconds})`,
      );
    io.out(new JwtVerifier(config.jwt).sign(user, expiresIn));
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

function readArgs(argv: string[]): { user: string; 'expires-in'?: string } {
  try {
    return parseArgs({
      args: argv,
      options: {
        user: { type: 'string', default: '1' },
        // Default: the longest lifetime the service accepts (JWT_MAX_LIFETIME_SECONDS, 24 h).
        'expires-in': { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}\n${USAGE}`);
  }
}
