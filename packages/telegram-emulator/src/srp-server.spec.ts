import { Api } from 'telegram';
import { computeCheck } from 'telegram/Password';
import { returnBigInt } from 'telegram/Helpers';
import {
  bigIntToBuffer,
  bufferToBigInt,
  computeM1,
  computeVerifier,
  createChallenge,
  modPow,
  passwordHash,
  SRP_G,
  SRP_P,
  srpK,
  srpU,
  verifyProof,
} from './srp-server';

/**
 * Known-answer vector from mtcute (packages/core/src/utils/crypto/password.test.ts): a real account with
 * password "qwe123". mtcute's test crypto provider draws the client secret `a` from a fixed entropy string;
 * its first 256 bytes are A_SECRET below (checked here: g^a mod p reproduces mtcute's expected A).
 */
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const VECTOR = {
  password: 'qwe123',
  salt1: hex('9b3accc457c0d5288e8cff31eb21094048bc11902f6614dbb9afb839ee7641c37619537d8ebe749e'),
  salt2: hex('6c619bb0786dc4ed1bf211d23f6e4065'),
  B: hex(
    '1476a7b5991d7f028bbee33b3455cad3f2cd0eb3737409fcce92fa7d4cd5c733' +
      'ec6d2cb3454e587d4c17eda2fd7ef9a57327215f38292cc8bd5dc77d3e1d31cd' +
      'dae2652f8347c4b0093f7c78242f70e6cc13137ee7acc257a49855a63113db8f' +
      '163992b9101551f3b6f7eb5d196cee3647c359553b1bcbe82ba8933c0fb1ac35' +
      '0243c535b8e634613e1f626ba8a6d141ef957c859e71a117b557c0298bfbb107' +
      'c91f71f5b4275fded58289aa1e87c612f44b7aa0b5e0de7def4458f58db80019' +
      'd2e7b181eb66dc270374af2d160dd0c53edd677b2701694d71ea8718c49df6a9' +
      'dbe2cbae051ffc1986336cd26f11a8ab426dfe0813d7b3f4eedf4e34182ccc3a',
  ),
  A_SECRET: hex(
    '29afd26df40fb8ed10b6b4ad6d56ef5df9453f88e6ee6adb6e0544ba635dc6a8a990c9b8b980c343936b33fa7f97bae025102532233abb269c489920ef99021b' +
      '259ce3a2c964c5c8972b4a84ff96f3375a94b535a9468f2896e2080ac7a32ed58e910474a4b02415e07671cbb5bdd58a5dd26fd137c4c98b8c346571fae6ead3' +
      '9dfd612bd6b480b6723433f5218e9d6e271591153fb3ffefc089f7e848d3f4633459fff66b33cf939e5655813149fa34be8625f9bc4814d1ee6cf40e4d0de229' +
      '1aa22e68c8ad8cc698103734f9aaf79f2bdc052a787a7a9b3629d1ed38750f88cb0481c0ba30a9c611672f9a4d1dc02637abb4e98913ee810a3b152d3d75f25d',
  ),
  expectedHash: '750f1fe282965e63ce17b98427b35549fb864465211840f6a7c1f2fb657cc33b',
  expectedA:
    '363976f55edb57cc5cc0c4aaca9b7539eff98a43a93fa84be34860d18ac3a80f' +
    'ffd57c4617896ff667677d0552a079eb189d25d147ec96edd4495c946a18652d' +
    '31d78eede40a8b29da340c19b32ccac78f8482406e392102c03d850d1db87223' +
    '2c144bfacadb58856971aafb70ca3aac4efa7f73977ddc50dfc0a2c76c0ac950' +
    '728d58b8480fa89c701703855148fadd885aaf1ca313ae3a3b2942de58a9a6fb' +
    '9e3e65c7ac7a1b7f4e6aa4742b957f81927bd8cc761b76f90229dec34d6f15d3' +
    '4fa454aa69d9219d9c5fa3625f5c6f1ac03892a70aa17269c76cd9bf2949a961' +
    'fad2a71e5fa961824b32db037130c7e9aad4c1e9f02ebc5b832622f98b59597e',
  expectedM1: '25a91b21c634ad670a144165a9829192d152e131a716f676abc48cd817f508c6',
};

const g = BigInt(SRP_G);
const mod = (v: bigint): bigint => ((v % SRP_P) + SRP_P) % SRP_P;

/** The client half of SRP from the spec, only to drive the server half in tests. */
function clientProof(
  password: string,
  salt1: Buffer,
  salt2: Buffer,
  B: Buffer,
  a: bigint,
): { A: Buffer; M1: Buffer } {
  const x = bufferToBigInt(passwordHash(password, salt1, salt2));
  const A = bigIntToBuffer(modPow(g, a, SRP_P));
  const u = srpU(A, B);
  const base = mod(bufferToBigInt(B) - srpK() * modPow(g, x, SRP_P));
  const S = modPow(base, a + u * x, SRP_P);
  return { A, M1: computeM1({ salt1, salt2, A, B, S }) };
}

describe('srp-server', () => {
  it('computes the MTProto password hash of the known-answer vector', () => {
    expect(passwordHash(VECTOR.password, VECTOR.salt1, VECTOR.salt2).toString('hex')).toBe(
      VECTOR.expectedHash,
    );
  });

  it('reproduces the vector A and M1 (k, u, x, v, K and the M1 layout match mtcute)', () => {
    // mtcute's previous test (computeNewPasswordHash) appends 32 random bytes to the shared fakeAlgo.salt1 in
    // place, so its SRP test really runs with salt1 || entropy[0..32); its expected M1 is for that salt1.
    const salt1 = Buffer.concat([VECTOR.salt1, VECTOR.A_SECRET.subarray(0, 32)]);
    const a = bufferToBigInt(VECTOR.A_SECRET);
    const { A, M1 } = clientProof(VECTOR.password, salt1, VECTOR.salt2, VECTOR.B, a);
    expect(A.toString('hex')).toBe(VECTOR.expectedA);
    expect(M1.toString('hex')).toBe(VECTOR.expectedM1);
  });

  it('accepts a proof made against its own challenge and rejects a wrong password or tampered values', () => {
    const salt1 = VECTOR.salt1;
    const salt2 = VECTOR.salt2;
    const params = { salt1, salt2, verifier: computeVerifier('right', salt1, salt2) };
    const challenge = createChallenge(params.verifier, 0x1234567890abcdefn ** 20n);
    const a = bufferToBigInt(VECTOR.A_SECRET);
    const good = clientProof('right', salt1, salt2, challenge.B, a);
    expect(verifyProof({ password: params, challenge, ...good })).toBe(true);

    const wrong = clientProof('wrong', salt1, salt2, challenge.B, a);
    expect(verifyProof({ password: params, challenge, ...wrong })).toBe(false);
    const flipped = Buffer.from(good.M1);
    flipped[0] ^= 1;
    expect(verifyProof({ password: params, challenge, A: good.A, M1: flipped })).toBe(false);
    expect(verifyProof({ password: params, challenge, A: bigIntToBuffer(1n), M1: good.M1 })).toBe(false);
    expect(verifyProof({ password: params, challenge, A: bigIntToBuffer(SRP_P - 1n), M1: good.M1 })).toBe(
      false,
    );
  });

  it("accepts GramJS's computeCheck for the right password only", async () => {
    const salt1 = Buffer.from(VECTOR.salt1);
    const salt2 = Buffer.from(VECTOR.salt2);
    const params = { salt1, salt2, verifier: computeVerifier('emulator-2fa', salt1, salt2) };
    const challenge = createChallenge(params.verifier);
    const request = new Api.account.Password({
      hasPassword: true,
      currentAlgo: new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
        salt1,
        salt2,
        g: SRP_G,
        p: bigIntToBuffer(SRP_P),
      }),
      srp_B: challenge.B,
      srpId: returnBigInt(42),
      newAlgo: new Api.PasswordKdfAlgoUnknown(),
      newSecureAlgo: new Api.SecurePasswordKdfAlgoUnknown(),
      secureRandom: Buffer.alloc(32),
    });

    const right = await computeCheck(request, 'emulator-2fa');
    expect(verifyProof({ password: params, challenge, A: right.A, M1: right.M1 })).toBe(true);
    const wrong = await computeCheck(request, 'not-the-password');
    expect(verifyProof({ password: params, challenge, A: wrong.A, M1: wrong.M1 })).toBe(false);
  });
});
