import { parseArgs } from 'node:util';
import { ConfigValidationError, loadConfig, loadDotEnv } from '../../config/app-config';
import { ensureJwtKeys } from './jwt-keys';
import { JwtVerifier } from './jwt-verifier';

/**
 * `npm run token -- --user 42 [--expires-in 3600]`: prints a bearer token for that user, signed with
 * JWT_SECRET or the generated development secret (the same one `npm start` uses).
 */
function main(): void {
  const values = readArgs();
  const user = Number(values.user);
  const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
  if (!Number.isInteger(user) || user < 1 || user > 2 ** 31 - 1) fail('--user must be a positive integer');
  if (expiresIn !== undefined && (!Number.isInteger(expiresIn) || expiresIn < 1))
    fail('--expires-in must be a positive number of seconds');
  let config;
  try {
    loadDotEnv();
    config = ensureJwtKeys(loadConfig());
  } catch (error) {
    if (error instanceof ConfigValidationError) fail(error.problems.join('\n'));
    throw error;
  }
  if (!config.jwt.secret) fail('JWT_PUBLIC_KEY is set: tokens are issued by the identity provider, not here');
  if (expiresIn !== undefined && expiresIn > config.jwt.maxLifetimeSeconds)
    fail(`--expires-in may be at most JWT_MAX_LIFETIME_SECONDS (${config.jwt.maxLifetimeSeconds})`);
  process.stdout.write(`${new JwtVerifier(config.jwt).sign(user, expiresIn)}\n`);
}

function readArgs(): { user: string; 'expires-in'?: string } {
  try {
    return parseArgs({
      options: {
        user: { type: 'string', default: '1' },
        // Default: the longest lifetime the service accepts (JWT_MAX_LIFETIME_SECONDS, 24 h).
        'expires-in': { type: 'string' },
      },
    }).values;
  } catch (error) {
    return fail(
      `${(error as Error).message.split('\n')[0]}\nusage: npm run token -- --user <id> [--expires-in <seconds>]`,
    );
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

main();
