/**
 * Fidelity of the fake Vault against Vault's documented API (website/content/api-docs: system/health.mdx,
 * secret/transit.mdx, secret/kv/kv-v2.mdx, auth/token.mdx, auth/approle.mdx, auth/kubernetes.mdx) and the
 * Vault source for error texts, exercised over raw HTTP and through the real node-vault client.
 */
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { Agent, request } from 'node:http';
import nodeVault from 'node-vault';
import { FakeVault } from './fake-vault';

interface RawResponse {
  status: number;
  body: unknown;
  text: string;
}

function raw(
  vault: FakeVault,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const payload =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const req = request(
      `${vault.url}/v1/${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(options.token ? { 'X-Vault-Token': options.token } : {}),
          ...(payload ? { 'Content-Type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, body, text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

type Json = Record<string, unknown>;
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

async function rejection(promise: Promise<unknown>): Promise<Json> {
  try {
    await promise;
  } catch (err) {
    return err as Json;
  }
  throw new Error('expected a rejection');
}

describe('FakeVault', () => {
  let vault: FakeVault;
  let client: ReturnType<typeof nodeVault>;

  beforeEach(async () => {
    vault = await FakeVault.start();
    client = nodeVault({ endpoint: vault.url, token: vault.rootToken, debug: () => undefined });
  });

  afterEach(async () => {
    await vault.stop();
  });

  describe('sys/health (system/health.mdx)', () => {
    const documentedFields = [
      'initialized',
      'sealed',
      'standby',
      'performance_standby',
      'replication_performance_mode',
      'replication_dr_mode',
      'server_time_utc',
      'version',
      'cluster_name',
      'cluster_id',
    ];

    it('answers 200 for an active node with the documented fields, without a token', async () => {
      const res = await raw(vault, 'GET', 'sys/health');
      expect(res.status).toBe(200);
      const body = res.body as Json;
      for (const key of documentedFields) expect(body).toHaveProperty(key);
      expect(body).toMatchObject({
        initialized: true,
        sealed: false,
        standby: false,
        performance_standby: false,
      });
      expect(typeof body.server_time_utc).toBe('number');
    });

    it.each([
      ['standby', 429, { standby: true, sealed: false }],
      ['perf_standby', 473, { standby: true, performance_standby: true }],
      ['dr_secondary', 472, { replication_dr_mode: 'secondary' }],
      ['sealed', 503, { initialized: true, sealed: true }],
      ['uninitialized', 501, { initialized: false, sealed: true }],
    ] as const)('answers the default code for %s', async (state, status, fields) => {
      vault.setState(state);
      const res = await raw(vault, 'GET', 'sys/health');
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject(fields);
    });

    it('omits cluster_name/cluster_id while sealed', async () => {
      vault.seal();
      const body = (await raw(vault, 'GET', 'sys/health')).body as Json;
      expect(body.cluster_name).toBeUndefined();
      expect(body.cluster_id).toBeUndefined();
    });

    it('honours standbyok, perfstandbyok and the *code parameters', async () => {
      vault.setState('standby');
      expect((await raw(vault, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
      expect((await raw(vault, 'GET', 'sys/health?standbycode=200')).status).toBe(200);
      expect((await raw(vault, 'GET', 'sys/health?standbyok=true&activecode=204')).status).toBe(204);
      vault.setState('perf_standby');
      expect((await raw(vault, 'GET', 'sys/health?standbyok=true')).status).toBe(473);
      expect((await raw(vault, 'GET', 'sys/health?perfstandbyok=true')).status).toBe(200);
      vault.seal();
      expect((await raw(vault, 'GET', 'sys/health?sealedcode=200')).status).toBe(200);
      vault.setState('uninitialized');
      expect((await raw(vault, 'GET', 'sys/health?uninitcode=299')).status).toBe(299);
    });

    it('rejects a bad parameter value with 400', async () => {
      const res = await raw(vault, 'GET', 'sys/health?standbyok=maybe');
      expect(res.status).toBe(400);
      expect((res.body as { errors: string[] }).errors[0]).toMatch(/^bad value for standbyok parameter/);
    });

    it('answers HEAD with the status code only', async () => {
      vault.seal();
      const res = await raw(vault, 'HEAD', 'sys/health');
      expect(res.status).toBe(503);
      expect(res.text).toBe('');
    });

    it('is resolved (not rejected) by node-vault for every status, body only', async () => {
      expect(await client.health()).toMatchObject({ sealed: false });
      vault.seal();
      expect(await client.health()).toMatchObject({ sealed: true });
      vault.setState('uninitialized');
      expect(await client.health()).toMatchObject({ initialized: false });
    });

    it('answers sys/seal-status as node-vault status() expects', async () => {
      vault.seal();
      expect(await client.status()).toMatchObject({ sealed: true, t: 1, n: 1, progress: 0 });
    });
  });

  describe('tokens (auth/token.mdx)', () => {
    it('answers 403 permission denied for a missing, unknown, expired or revoked token', async () => {
      expect(await raw(vault, 'GET', 'auth/token/lookup-self')).toMatchObject({
        status: 403,
        body: { errors: ['permission denied'] },
      });
      expect((await raw(vault, 'GET', 'auth/token/lookup-self', { token: 'nope' })).status).toBe(403);
      const expiring = vault.createToken({ ttl: 60 });
      vault.advanceClock(61);
      expect((await raw(vault, 'GET', 'auth/token/lookup-self', { token: expiring })).status).toBe(403);
      const revoked = vault.createToken();
      vault.revokeToken(revoked);
      const err = await rejection(
        nodeVault({ endpoint: vault.url, token: revoked, debug: () => undefined }).tokenLookupSelf(),
      );
      expect(err.message).toBe('permission denied');
      expect(err.response).toEqual({ statusCode: 403, body: { errors: ['permission denied'] } });
    });

    it('looks up the calling token (tokenLookupSelf)', async () => {
      const token = vault.createToken({ ttl: 600, policies: ['default', 'app'] });
      const res = (await nodeVault({
        endpoint: vault.url,
        token,
        debug: () => undefined,
      }).tokenLookupSelf()) as Json;
      const data = res.data as Json;
      expect(data).toMatchObject({
        id: token,
        policies: ['default', 'app'],
        renewable: true,
        creation_ttl: 600,
        type: 'service',
        num_uses: 0,
      });
      expect(data.ttl).toBeGreaterThanOrEqual(599);
      expect(typeof data.expire_time).toBe('string');
      expect(res).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, auth: null });
    });

    it('renews the calling token (tokenRenewSelf) and caps at max TTL with a warning', async () => {
      const token = vault.createToken({ ttl: 60, maxTtl: 100 });
      const own = nodeVault({ endpoint: vault.url, token, debug: () => undefined });
      vault.advanceClock(30);
      const renewed = (await own.tokenRenewSelf()) as Json;
      expect(renewed.auth).toMatchObject({ client_token: token, lease_duration: 60, renewable: true });
      expect(vault.tokenTtl(token)).toBeGreaterThanOrEqual(59);
      vault.advanceClock(50);
      const capped = (await own.tokenRenewSelf({ increment: '1h' })) as Json;
      expect((capped.auth as Json).lease_duration).toBeGreaterThanOrEqual(19);
      expect((capped.auth as Json).lease_duration).toBeLessThanOrEqual(20);
      expect((capped.warnings as string[])[0]).toMatch(
        /exceeded the effective max_ttl .* capped accordingly$/,
      );
      vault.advanceClock(21);
      expect((await rejection(own.tokenRenewSelf())).response).toMatchObject({ statusCode: 403 });
    });

    it('refuses to renew a non-renewable token', async () => {
      const err = await rejection(client.tokenRenewSelf());
      expect(err.response).toEqual({ statusCode: 400, body: { errors: ['lease is not renewable'] } });
    });
  });

  describe('auth/approle/login (auth/approle.mdx)', () => {
    beforeEach(() => vault.addAppRole({ roleId: 'role-1', secretId: 'secret-1', tokenTtl: 1200 }));

    it('logs in through node-vault approleLogin and the client adopts the token', async () => {
      const login = nodeVault({ endpoint: vault.url, debug: () => undefined });
      login.token = '';
      const res = (await login.approleLogin({ role_id: 'role-1', secret_id: 'secret-1' })) as Json;
      const auth = res.auth as Json;
      expect(auth).toMatchObject({
        renewable: true,
        lease_duration: 1200,
        token_type: 'service',
        orphan: true,
      });
      expect(typeof auth.client_token).toBe('string');
      expect(auth.metadata).toEqual({ role_name: 'app' });
      expect(login.token).toBe(auth.client_token);
      expect(res.data).toBeNull();
      expect(((await login.tokenLookupSelf()) as { data: Json }).data.path).toBe('auth/approle/login');
    });

    it('rejects bad credentials with 400 and Vault’s texts', async () => {
      const login = nodeVault({ endpoint: vault.url, debug: () => undefined });
      expect((await rejection(login.approleLogin({ role_id: 'role-1', secret_id: 'bad' }))).response).toEqual(
        {
          statusCode: 400,
          body: { errors: ['invalid role or secret ID'] },
        },
      );
      expect((await raw(vault, 'POST', 'auth/approle/login', { body: { role_id: 'role-1' } })).body).toEqual({
        errors: ['missing secret_id'],
      });
      expect((await raw(vault, 'POST', 'auth/approle/login', { body: {} })).body).toEqual({
        errors: ['missing role_id'],
      });
    });
  });

  describe('auth/kubernetes/login (auth/kubernetes.mdx)', () => {
    beforeEach(() => vault.addKubernetesRole({ role: 'app', jwt: 'header.payload.sig', tokenTtl: 900 }));

    it('logs in with role and jwt', async () => {
      const login = nodeVault({ endpoint: vault.url, debug: () => undefined });
      const res = (await login.kubernetesLogin({
        role: 'app',
        jwt: 'header.payload.sig',
        mount_point: 'kubernetes',
      })) as Json;
      expect(res.auth).toMatchObject({ lease_duration: 900, renewable: true });
      expect((res.auth as Json).metadata).toMatchObject({ role: 'app' });
    });

    it('answers 403 for a bad jwt and 400 for an unknown role', async () => {
      expect(
        (await raw(vault, 'POST', 'auth/kubernetes/login', { body: { role: 'app', jwt: 'x' } })).status,
      ).toBe(403);
      expect(
        (await raw(vault, 'POST', 'auth/kubernetes/login', { body: { role: 'nope', jwt: 'x' } })).body,
      ).toEqual({
        errors: ['invalid role name "nope"'],
      });
    });

    it('documents a node-vault 0.12.0 bug: without mount_point it posts to auth//login', async () => {
      const login = nodeVault({ endpoint: vault.url, debug: () => undefined });
      login.token = '';
      const err = await rejection(login.kubernetesLogin({ role: 'app', jwt: 'header.payload.sig' }));
      // No such (unauthenticated) login path: the request is treated as a token-authenticated one.
      expect(err.response).toMatchObject({ statusCode: 403 });
      expect(vault.requests().at(-1)?.path).toBe('auth//login');
    });
  });

  describe('transit (secret/transit.mdx)', () => {
    it('creates a derived key and reads it back with the documented fields', async () => {
      const created = (await client.write('transit/keys/sessions', {
        derived: true,
        type: 'aes256-gcm96',
      })) as Json;
      expect(created.data).toMatchObject({ name: 'sessions', derived: true, latest_version: 1 });
      const read = (await client.read('transit/keys/sessions')) as { data: Json };
      expect(read.data).toMatchObject({
        type: 'aes256-gcm96',
        deletion_allowed: false,
        derived: true,
        exportable: false,
        allow_plaintext_backup: false,
        min_decryption_version: 1,
        min_encryption_version: 0,
        name: 'sessions',
        supports_encryption: true,
        supports_decryption: true,
        supports_derivation: true,
        supports_signing: false,
        latest_version: 1,
        kdf: 'hkdf_sha256',
      });
      expect(Object.keys(read.data.keys as Json)).toEqual(['1']);
      expect((read.data.keys as Record<string, number>)['1']).toBeCloseTo(Date.now() / 1000, -1);
    });

    it('answers 404 {"errors":[]} for a missing key', async () => {
      expect(await raw(vault, 'GET', 'transit/keys/none', { token: vault.rootToken })).toMatchObject({
        status: 404,
        body: { errors: [] },
      });
      expect((await rejection(client.read('transit/keys/none'))).message).toBe('Status 404');
    });

    it('loseTransitKey: the key is gone and may not be created again; restoreTransitKey brings it back', async () => {
      await client.write('transit/keys/k', { derived: true });
      const context = b64('5');
      const enc = (await client.write('transit/encrypt/k', { plaintext: b64('kept'), context })) as {
        data: { ciphertext: string };
      };
      vault.loseTransitKey('k');
      expect((await rejection(client.read('transit/keys/k'))).message).toBe('Status 404');
      expect((await rejection(client.write('transit/keys/k', { derived: true }))).response).toEqual({
        statusCode: 403,
        body: { errors: ['permission denied'] },
      });
      for (const op of ['encrypt', 'decrypt']) {
        const body =
          op === 'encrypt' ? { plaintext: b64('x'), context } : { ciphertext: enc.data.ciphertext, context };
        expect((await rejection(client.write(`transit/${op}/k`, body))).response).toEqual({
          statusCode: 400,
          body: { errors: ['encryption key not found'] },
        });
      }
      vault.restoreTransitKey('k');
      const dec = (await client.write('transit/decrypt/k', { ciphertext: enc.data.ciphertext, context })) as {
        data: { plaintext: string };
      };
      expect(unb64(dec.data.plaintext)).toBe('kept');
    });

    it('encrypts and decrypts the documented sample with a context', async () => {
      await client.write('transit/keys/k', { derived: true });
      const context = b64('42');
      const enc = (await client.write('transit/encrypt/k', {
        plaintext: 'dGhlIHF1aWNrIGJyb3duIGZveAo=',
        context,
      })) as { data: Json };
      expect(enc.data.key_version).toBe(1);
      expect(enc.data.ciphertext).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
      const blob = Buffer.from((enc.data.ciphertext as string).slice('vault:v1:'.length), 'base64');
      expect(blob.length).toBe(12 + 'the quick brown fox\n'.length + 16);
      const dec = (await client.write('transit/decrypt/k', { ciphertext: enc.data.ciphertext, context })) as {
        data: Json;
      };
      expect(unb64(dec.data.plaintext as string)).toBe('the quick brown fox\n');
    });

    it('derives per-context keys with HKDF-SHA256 (ikm = version key, no salt, info = context)', async () => {
      await client.write('transit/keys/k', { derived: true });
      const enc = (await client.write('transit/encrypt/k', {
        plaintext: b64('secret'),
        context: b64('7'),
      })) as {
        data: { ciphertext: string };
      };
      const blob = Buffer.from(enc.data.ciphertext.slice('vault:v1:'.length), 'base64');
      const versionKey = vault.transit.get('k')!.versions.get(1)!.key;
      const derived = Buffer.from(hkdfSync('sha256', versionKey, Buffer.alloc(0), Buffer.from('7'), 32));
      const decipher = createDecipheriv('aes-256-gcm', derived, blob.subarray(0, 12));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      expect(
        Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]).toString(),
      ).toBe('secret');
    });

    it('fails authentication with another context, and requires a context for derived keys', async () => {
      await client.write('transit/keys/k', { derived: true });
      const enc = (await client.write('transit/encrypt/k', { plaintext: b64('x'), context: b64('1') })) as {
        data: { ciphertext: string };
      };
      const wrong = await rejection(
        client.write('transit/decrypt/k', { ciphertext: enc.data.ciphertext, context: b64('2') }),
      );
      expect(wrong.response).toEqual({
        statusCode: 400,
        body: { errors: ['cipher: message authentication failed'] },
      });
      const missing = await rejection(client.write('transit/encrypt/k', { plaintext: b64('x') }));
      expect(missing.message).toMatch(
        /^missing 'context' for key derivation; the key was created using a derived key/,
      );
    });

    it('words bad input as Vault does', async () => {
      await client.write('transit/keys/k', {});
      const errorOf = async (path: string, body: Json): Promise<unknown> =>
        (await raw(vault, 'POST', path, { token: vault.rootToken, body })).body;
      expect(await errorOf('transit/encrypt/k', {})).toEqual({ errors: ['missing plaintext to encrypt'] });
      expect(await errorOf('transit/encrypt/k', { plaintext: 'not base64!' })).toEqual({
        errors: ['illegal base64 data at input byte 3'],
      });
      expect(await errorOf('transit/decrypt/k', {})).toEqual({ errors: ['missing ciphertext to decrypt'] });
      expect(await errorOf('transit/decrypt/k', { ciphertext: 'abc' })).toEqual({
        errors: ['invalid ciphertext: no prefix'],
      });
      expect(await errorOf('transit/decrypt/k', { ciphertext: 'vault:v9:AAAA' })).toEqual({
        errors: ['invalid ciphertext: version is too new'],
      });
      expect(await errorOf('transit/decrypt/k', { ciphertext: 'vault:v1:%%' })).toEqual({
        errors: ['invalid ciphertext: could not decode base64'],
      });
      expect(await errorOf('transit/decrypt/nokey', { ciphertext: 'vault:v1:AAAA' })).toEqual({
        errors: ['encryption key not found'],
      });
      expect(
        await errorOf('transit/encrypt/k', {
          batch_input: [{ plaintext: 'AA==', context: 'AA==' }, { plaintext: 'AA==' }],
        }),
      ).toEqual({ errors: ['context should be set either in all the request blocks or in none'] });
      expect(
        (await raw(vault, 'POST', 'transit/encrypt/k', { token: vault.rootToken, rawBody: '{' })).status,
      ).toBe(400);
    });

    it('upserts a missing key on encrypt (derived when a context is given) unless not allowed', async () => {
      await client.write('transit/encrypt/auto', { plaintext: b64('x'), context: b64('1') });
      expect(vault.transit.get('auto')?.derived).toBe(true);
      vault.setUpsertAllowed(false);
      expect((await rejection(client.write('transit/encrypt/other', { plaintext: b64('x') }))).message).toBe(
        'encryption key not found',
      );
    });

    it('rotates, keeps old versions decryptable, enforces min_decryption_version and rewraps', async () => {
      await client.write('transit/keys/k', { derived: true });
      const context = b64('5');
      const v1 = (
        (await client.write('transit/encrypt/k', { plaintext: b64('old'), context })) as { data: Json }
      ).data;
      const rotated = (await client.write('transit/keys/k/rotate', {})) as { data: Json };
      expect(rotated.data.latest_version).toBe(2);
      const v2 = (
        (await client.write('transit/encrypt/k', { plaintext: b64('new'), context })) as { data: Json }
      ).data;
      expect(v2).toMatchObject({ key_version: 2 });
      expect(v2.ciphertext).toMatch(/^vault:v2:/);
      const old = (await client.write('transit/decrypt/k', { ciphertext: v1.ciphertext, context })) as {
        data: Json;
      };
      expect(unb64(old.data.plaintext as string)).toBe('old');

      const rewrapped = (
        (await client.write('transit/rewrap/k', { ciphertext: v1.ciphertext, context })) as {
          data: Json;
        }
      ).data;
      expect(rewrapped).toMatchObject({ key_version: 2 });
      expect(rewrapped.ciphertext).toMatch(/^vault:v2:/);

      await client.write('transit/keys/k/config', { min_decryption_version: 2 });
      expect(((await client.read('transit/keys/k')) as { data: Json }).data.min_decryption_version).toBe(2);
      expect(
        (await rejection(client.write('transit/decrypt/k', { ciphertext: v1.ciphertext, context }))).message,
      ).toBe('ciphertext or signature version is disallowed by policy (too old)');
      const back = (await client.write('transit/decrypt/k', {
        ciphertext: rewrapped.ciphertext,
        context,
      })) as {
        data: Json;
      };
      expect(unb64(back.data.plaintext as string)).toBe('old');
      expect(
        (await rejection(client.write('transit/keys/k/config', { min_decryption_version: 3 }))).message,
      ).toBe('cannot set min decryption version of 3, latest key version is 2');
    });

    it('handles batch_input: results in order with key_version and reference', async () => {
      await client.write('transit/keys/k', { derived: true });
      const enc = (await client.write('transit/encrypt/k', {
        batch_input: [
          { plaintext: b64('a'), context: b64('1') },
          { plaintext: b64('b'), context: b64('2'), reference: 'r2' },
        ],
      })) as { data: { batch_results: Json[] } };
      expect(enc.data.batch_results).toHaveLength(2);
      expect(enc.data.batch_results[0]).toMatchObject({ key_version: 1, reference: '' });
      expect(enc.data.batch_results[1]).toMatchObject({ key_version: 1, reference: 'r2' });
      const dec = (await client.write('transit/decrypt/k', {
        batch_input: [
          { ciphertext: enc.data.batch_results[0].ciphertext, context: b64('1') },
          { ciphertext: enc.data.batch_results[1].ciphertext, context: b64('2') },
        ],
      })) as { data: { batch_results: Json[] } };
      expect(dec.data.batch_results.map((r) => unb64(r.plaintext as string))).toEqual(['a', 'b']);
    });

    it('answers a batch with a failed item with 400 and the whole response as body (no errors)', async () => {
      await client.write('transit/keys/k', { derived: true });
      const ct = (
        (await client.write('transit/encrypt/k', { plaintext: b64('a'), context: b64('1') })) as {
          data: { ciphertext: string };
        }
      ).data.ciphertext;
      const batch = [
        { ciphertext: ct, context: b64('1') },
        { ciphertext: ct, context: b64('2') },
      ];
      const err = await rejection(client.write('transit/decrypt/k', { batch_input: batch }));
      expect(err.message).toBe('Status 400');
      const body = (err.response as { body: Json }).body;
      expect(body.errors).toBeUndefined();
      expect((body.data as { batch_results: Json[] }).batch_results[1]).toEqual({
        error: 'cipher: message authentication failed',
        reference: '',
      });
      const partial = (await client.write('transit/decrypt/k', {
        batch_input: batch,
        partial_failure_response_code: 200,
      })) as { data: { batch_results: Json[] } };
      expect(unb64(partial.data.batch_results[0].plaintext as string)).toBe('a');
    });

    it('rewraps a batch with item errors in a 200, but aborts with 500 on an AEAD failure', async () => {
      await client.write('transit/keys/k', { derived: true });
      const ct = (
        (await client.write('transit/encrypt/k', { plaintext: b64('a'), context: b64('1') })) as {
          data: { ciphertext: string };
        }
      ).data.ciphertext;
      await client.write('transit/keys/k/rotate', {});
      const res = (await client.write('transit/rewrap/k', {
        batch_input: [
          { ciphertext: ct, context: b64('1') },
          { ciphertext: 'garbage', context: b64('1') },
        ],
      })) as { data: { batch_results: Json[] } };
      expect(res.data.batch_results[0]).toMatchObject({ key_version: 2 });
      expect(res.data.batch_results[1]).toMatchObject({ error: 'invalid ciphertext: no prefix' });
      const err = await rejection(
        client.write('transit/rewrap/k', { batch_input: [{ ciphertext: ct, context: b64('9') }] }),
      );
      expect(err.response).toEqual({
        statusCode: 500,
        body: { errors: ['cipher: message authentication failed'] },
      });
    });
  });

  describe('kv v2 (secret/kv/kv-v2.mdx)', () => {
    it('reads a secret as {data:{data, metadata}}', async () => {
      vault.putKv('integrations/telegram', { api_id: 12345, api_hash: 'abc' });
      const res = (await client.read('secret/data/integrations/telegram')) as Json;
      expect(res).toMatchObject({
        data: {
          data: { api_id: 12345, api_hash: 'abc' },
          metadata: { version: 1, deletion_time: '', destroyed: false, custom_metadata: null },
        },
        lease_id: '',
        renewable: false,
        lease_duration: 0,
      });
      expect(Date.parse(((res.data as Json).metadata as Json).created_time as string)).not.toBeNaN();
    });

    it('writes new versions and answers 404 {"errors":[]} for a missing secret', async () => {
      vault.putKv('a', { x: 1 });
      const written = (await client.write('secret/data/a', { data: { x: 2 } })) as { data: Json };
      expect(written.data.version).toBe(2);
      expect(((await client.read('secret/data/a')) as { data: { data: Json } }).data.data).toEqual({ x: 2 });
      expect(await raw(vault, 'GET', 'secret/data/none', { token: vault.rootToken })).toMatchObject({
        status: 404,
        body: { errors: [] },
      });
    });
  });

  describe('connections', () => {
    it('keeps connections alive like Vault: no Keep-Alive hint, so a keep-alive agent reuses one socket', async () => {
      const agent = new Agent({ keepAlive: true });
      try {
        vault.resetRequests();
        const get = (): Promise<Record<string, unknown>> =>
          new Promise((resolve, reject) => {
            request(`${vault.url}/v1/sys/health`, { agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.headers));
            })
              .on('error', reject)
              .end();
          });
        for (let i = 0; i < 5; i++) expect((await get())['keep-alive']).toBeUndefined();
        expect(vault.requestCount('sys/health')).toBe(5);
        expect(vault.connectionCount()).toBe(1);
      } finally {
        agent.destroy();
      }
    });
  });

  describe('faults and control', () => {
    it('answers 503 Vault is sealed everywhere but health while sealed or uninitialised', async () => {
      vault.seal();
      const err = await rejection(client.read('transit/keys/k'));
      expect(err.response).toEqual({ statusCode: 503, body: { errors: ['Vault is sealed'] } });
      vault.setState('uninitialized');
      expect((await raw(vault, 'POST', 'auth/approle/login', { body: {} })).status).toBe(503);
      vault.unseal();
      expect((await rejection(client.read('transit/keys/k'))).message).toBe('Status 404');
    });

    it('serves requests on a standby (forwarded in real Vault)', async () => {
      vault.setState('standby');
      await expect(client.write('transit/keys/k', {})).resolves.toBeDefined();
    });

    it('forbidden mode denies authenticated paths but not health or login', async () => {
      vault.addAppRole({ roleId: 'r', secretId: 's' });
      vault.setForbidden(true);
      expect((await rejection(client.read('transit/keys/k'))).message).toBe('permission denied');
      expect((await raw(vault, 'GET', 'sys/health')).status).toBe(200);
      expect(
        (await raw(vault, 'POST', 'auth/approle/login', { body: { role_id: 'r', secret_id: 's' } })).status,
      ).toBe(200);
    });

    it('applies per-token deny rules', async () => {
      const token = vault.createToken({ deny: [{ path: 'transit/keys/', methods: ['POST', 'PUT'] }] });
      const limited = nodeVault({ endpoint: vault.url, token, debug: () => undefined });
      expect((await rejection(limited.write('transit/keys/k', { derived: true }))).message).toBe(
        'permission denied',
      );
      await client.write('transit/keys/k', { derived: true });
      await expect(limited.read('transit/keys/k')).resolves.toBeDefined();
    });

    it('goes down (connection refused) and comes back on the same port', async () => {
      const port = vault.port;
      await vault.goDown();
      const err = await rejection(client.health());
      expect(err.code).toBe('ECONNREFUSED');
      expect(err.isAxiosError).toBe(true);
      await vault.comeBack();
      expect(vault.port).toBe(port);
      await expect(client.health()).resolves.toMatchObject({ sealed: false });
    });

    it('delays answers: the node-vault/axios timeout fires when nothing arrives', async () => {
      vault.setSlow(2000);
      const started = Date.now();
      const err = await rejection(client.health({ requestOptions: { timeout: 200 } }));
      expect(err.code).toBe('ECONNABORTED');
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('trickles answers: the node-vault/axios timeout does NOT bound a call once headers arrived', async () => {
      vault.setSlow(1200, { mode: 'trickle' });
      const started = Date.now();
      await expect(client.health({ requestOptions: { timeout: 200 } })).resolves.toMatchObject({
        sealed: false,
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    });

    it('limits slowness to given paths', async () => {
      vault.setSlow(5000, { paths: ['transit/'] });
      const started = Date.now();
      await client.health();
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('counts requests per path and method', async () => {
      await client.health();
      await client.health();
      await client.write('transit/keys/k', {});
      expect(vault.requestCount('sys/health')).toBe(2);
      expect(vault.requestCount('transit/keys/k', 'POST')).toBe(1);
      expect(vault.requestCount('transit/keys/k', 'GET')).toBe(0);
      expect(vault.requestCount()).toBe(3);
      vault.resetRequests();
      expect(vault.requestCount()).toBe(0);
    });

    it('answers 404 {"errors":[]} for unknown paths and 405 for unsupported methods', async () => {
      expect(await raw(vault, 'GET', 'nope/nothing', { token: vault.rootToken })).toMatchObject({
        status: 404,
        body: { errors: [] },
      });
      expect((await raw(vault, 'GET', 'transit/encrypt/k', { token: vault.rootToken })).status).toBe(405);
    });
  });
});
