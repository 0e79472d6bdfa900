import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { lookupAccount, type EmulatedAccount } from '../accounts';
import { badRequest, RpcFailure } from '../errors';
import { bigIntToBuffer, createChallenge, SRP_G, SRP_P, verifyProof } from '../srp-server';
import { buildAuthorization } from '../tl-builders';
import { randomLong, toLong } from '../tl-codec';
import { handler, type HandlerDef, type RequestContext } from './registry';

/** 2FA: account.getPassword hands out an SRP challenge, auth.checkPassword verifies the proof. */

const PRIME = bigIntToBuffer(SRP_P);

/** The account a key may ask about: the signed-in one, or the one waiting for its password. */
function passwordAccount(ctx: RequestContext): EmulatedAccount {
  const phone = ctx.key.userPhone ?? ctx.key.pendingPasswordPhone;
  const account = phone === undefined ? undefined : lookupAccount(phone);
  if (!account) throw ctx.state.notAuthorized(ctx.key);
  return account;
}

const algo = (
  salt1: Buffer,
  salt2: Buffer,
): Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow =>
  new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
    salt1,
    salt2,
    g: SRP_G,
    p: PRIME,
  });

export const passwordHandlers: readonly HandlerDef[] = [
  handler(Api.account.GetPassword, { requiresAuth: false }, (ctx) => {
    const account = passwordAccount(ctx);
    const common = {
      newSecureAlgo: new Api.SecurePasswordKdfAlgoPBKDF2HMACSHA512iter100000({ salt: randomBytes(8) }),
      secureRandom: randomBytes(32),
    };
    if (!account.hasPassword) {
      return new Api.account.Password({
        hasPassword: false,
        newAlgo: algo(randomBytes(8), randomBytes(16)),
        ...common,
      });
    }
    const password = ctx.state.passwordFor(account);
    const challenge = createChallenge(password.verifier);
    const srpId = randomLong();
    ctx.state.srpSessions.set(srpId.toString(), {
      phone: account.phone,
      keyRef: ctx.key.ref,
      challenge,
      used: false,
    });
    return new Api.account.Password({
      hasPassword: true,
      hasRecovery: false,
      hasSecureValues: false,
      currentAlgo: algo(password.salt1, password.salt2),
      srp_B: challenge.B,
      srpId: toLong(srpId),
      hint: 'emulator',
      newAlgo: algo(password.salt1.subarray(0, 8), password.salt2),
      ...common,
    });
  }),

  handler(Api.auth.CheckPassword, { requiresAuth: false }, (ctx, req) => {
    const account = passwordAccount(ctx);
    const flood = ctx.state.passwordFloodSeconds(account.phone);
    if (flood > 0) throw new RpcFailure(420, `FLOOD_WAIT_${flood}`);
    const input = req.password;
    if (!(input instanceof Api.InputCheckPasswordSRP)) throw badRequest('PASSWORD_HASH_INVALID');
    const srpId = input.srpId.toString();
    const session = ctx.state.srpSessions.get(srpId);
    if (!session || session.used || session.keyRef !== ctx.key.ref || session.phone !== account.phone) {
      throw badRequest('SRP_ID_INVALID');
    }
    session.used = true;
    const ok = verifyProof({
      password: ctx.state.passwordFor(account),
      challenge: session.challenge,
      A: input.A,
      M1: input.M1,
    });
    if (!ok) {
      ctx.state.notePasswordFailure(account.phone);
      throw badRequest('PASSWORD_HASH_INVALID');
    }
    ctx.state.authorize(ctx.key, account);
    return buildAuthorization(account, ctx.clock.nowSeconds());
  }),
];
