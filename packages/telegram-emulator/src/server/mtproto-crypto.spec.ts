import { randomBytes } from 'node:crypto';
import { AuthKey } from 'telegram/crypto/AuthKey';
import { IGE } from 'telegram/crypto/IGE';
import { generateKeyDataFromNonce, readBigIntFromBuffer } from 'telegram/Helpers';
import { MTProtoState } from 'telegram/network/MTProtoState';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { Api } from 'telegram';
import {
  authKeyIdBytes,
  decryptClientMessage,
  deriveAesKeyIv,
  encryptServerMessage,
  igeDecrypt,
  igeEncrypt,
  newNonceHash,
  sha1,
  tmpAesKeyIv,
} from './mtproto-crypto';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Telegram's worked auth-key exchange (core.telegram.org/mtproto/samples-auth_key). */
const SAMPLE = {
  serverNonce: hex('E11DBC3BC97D91A26154F932AF019943'),
  newNonce: hex('A8BBC849512DAC6C67B6EFD9157D6CA7377A1776307D84265C6BE9BDCF802AC1'),
  tmpAesKey: hex('5EA702F743E850F5546E857F08B7D5337BBAEDF9B61248751594851BE2E8C297'),
  tmpAesIv: hex('1CEF8E372A63D97EBFA805C0DBB018BC7C1E0931693FBCB1A1AFC0C0A8BBC849'),
  clientDhInner:
    hex(`54B64366406709F612FADFBEC3F0289D0AA67EEFE11DBC3BC97D91A26154F932AF0199430000000000000000FE000100
    A215D057BC6648453D68C2F418A38D9D4F4FA47E5D520AC7EBC2ADC3B00075090C10A1E9D96A5DDA127317F2DDC165C5F6C8C2854648C106
    D0D9DF684DAE70B0E6021658806245B494B762B1979E8BD597B5CC8E43A80F96CA47FB0765C98D40529F3D94C82113AE32C603AA24411EF8
    B330565A1D66EA6B89C9D4F8AFFEEA397C4B247564215D147B6AD0DF7F3FB4499E89E34304531D87448B91967B5BD53093F09386C0F78940
    C1DD6AA7C8667E15857453E6AAD275F94CD386468CF49108FB7C54282596A4D0314DCE9EFED4066A6E072471439AEAAA74157DB7DD53F019
    82982534DEE8740610BA433BF459B3DFE38674561F31991CE007BA112DDA6718`),
  clientDhPadding: hex('74876952857BA6AAA495A20D'),
  clientDhEncrypted:
    hex(`14D185E575255986C29BE3A0437D525BA22430CBA0CD755225945AD3A1ACEFB536518514F5086892E6E3FA84D1CBB644
    BC8F7BEBCDE74E31BA8A073F47623EBB6E7D94B3A676A4C1AFD4689C52D05F73D21C33F64FE6AEABD04273D9117CD064E467E1F8E6C887BC
    AE4679E0399AD35DB1302A80629618F8C8485248D89A4E3568B464FF7B608CBE24B51EEB81B65D76224B62A1669EAA48A99C122E5E8A778E
    13DD441DC52175160088A498F186A2B99C736FE8C5C3E274D804C629564A0F15DDABC5B449356A7990900652A7432AFB1499C7CE09246F6B
    29006425DF2926465B04F17C0077B6A336A50E46B675AD5607F05818F84EADEC1F4847BF311027E742F8B1E183C01810C4CE964F2A0F36E2
    57849C144C9B0B93B4A7A9E57391DB0CCB0D757A2B7A77257C8FF55553D66B6E1D45E9D8CA88E5A47B16322FF2ED5F5ABE099E7006B2D29C
    829D746B704130B1`),
  authKey:
    hex(`ACA2547BAA3B4B3E6AD9129ADEE796042FC4ACAAABA40DCE7A1196640595829E2BA85C5E68E5D2B7B713B28720CCD0E65DA3B8
    0CD8A9282BDE895755B924F4CBBCED119DEE057D3066D7095C25771A53D9AD6EC3464EE0E7FE1A4D9851F17B6CC7D6E636E0BDEA7D66153C
    F37005835A528E65673C1F5ADAA27465964BA89AA6FD045108B25B1DC9AB2D979864858C9EACBFA4A399CDBF2154D2CC6743C5CAA4068334
    3D80A36C7F1289DC5AC5EE585DEA1E1CD296444EA6CD8F6C3564B2D355B310A3C02608EEA5EC36D38E941BF811489AB7A24C069E44FF5471
    4CB4A45EEE2F310FDDC0A1B08BD3DFF8801E27C8508EFD7AD51EF3C13EF1D9A02EE4601741`),
  newNonceHash1: hex('1142871352165E59E1124036B48B97D3'),
};

describe('emulator server crypto: Telegram’s published auth-key sample', () => {
  it('derives tmp_aes_key and tmp_aes_iv from new_nonce and server_nonce', () => {
    const { key, iv } = tmpAesKeyIv(SAMPLE.newNonce, SAMPLE.serverNonce);
    expect(key.toString('hex')).toBe(SAMPLE.tmpAesKey.toString('hex'));
    expect(iv.toString('hex')).toBe(SAMPLE.tmpAesIv.toString('hex'));
  });

  it('AES-256-IGE encrypts SHA1(client_DH_inner_data) + data + padding to the published encrypted_data, and back', () => {
    const plain = Buffer.concat([sha1(SAMPLE.clientDhInner), SAMPLE.clientDhInner, SAMPLE.clientDhPadding]);
    const encrypted = igeEncrypt(plain, SAMPLE.tmpAesKey, SAMPLE.tmpAesIv);
    expect(encrypted.toString('hex')).toBe(SAMPLE.clientDhEncrypted.toString('hex'));
    expect(igeDecrypt(encrypted, SAMPLE.tmpAesKey, SAMPLE.tmpAesIv).equals(plain)).toBe(true);
  });

  it('computes new_nonce_hash1 of dh_gen_ok from the auth key', () => {
    expect(newNonceHash(SAMPLE.newNonce, 1, SAMPLE.authKey).toString('hex')).toBe(
      SAMPLE.newNonceHash1.toString('hex'),
    );
  });
});

describe('emulator server crypto against GramJS’s client code', () => {
  const logger = new Logger(LogLevel.NONE);

  it('IGE matches GramJS’s IGE both ways', () => {
    const key = randomBytes(32);
    const iv = randomBytes(32);
    const plain = randomBytes(160);
    const theirs = new IGE(key, iv).encryptIge(plain) as Buffer;
    expect(igeEncrypt(plain, key, iv).equals(Buffer.from(theirs))).toBe(true);
    expect(igeDecrypt(Buffer.from(theirs), key, iv).equals(plain)).toBe(true);
  });

  it('tmp key derivation and new_nonce_hash match GramJS (generateKeyDataFromNonce, calcNewNonceHash)', async () => {
    const newNonce = randomBytes(32);
    const serverNonce = randomBytes(16);
    const theirs = await generateKeyDataFromNonce(
      readBigIntFromBuffer(serverNonce, true, true),
      readBigIntFromBuffer(newNonce, true, true),
    );
    const ours = tmpAesKeyIv(newNonce, serverNonce);
    expect(ours.key.equals(theirs.key)).toBe(true);
    expect(ours.iv.equals(theirs.iv)).toBe(true);

    const authKeyBytes = randomBytes(256);
    const authKey = new AuthKey();
    await authKey.setKey(authKeyBytes);
    const hash = await authKey.calcNewNonceHash(readBigIntFromBuffer(newNonce, true, true), 1);
    expect(readBigIntFromBuffer(newNonceHash(newNonce, 1, authKeyBytes), true, true).equals(hash)).toBe(true);
  });

  it('aes key/iv derivation matches MTProtoState._calcKey for both directions', async () => {
    const authKey = randomBytes(256);
    const msgKey = randomBytes(16);
    const state = new MTProtoState(undefined, logger);
    for (const [x, client] of [
      [0, true],
      [8, false],
    ] as const) {
      const theirs = await state._calcKey(authKey, msgKey, client);
      const ours = deriveAesKeyIv(authKey, msgKey, x);
      expect(ours.key.equals(theirs.key)).toBe(true);
      expect(ours.iv.equals(theirs.iv)).toBe(true);
    }
  });

  it('decrypts what GramJS’s MTProtoState encrypts, and GramJS decrypts what the server encrypts', async () => {
    const keyBytes = randomBytes(256);
    const authKey = new AuthKey();
    await authKey.setKey(keyBytes);
    const state = new MTProtoState(authKey, logger);
    state.salt = readBigIntFromBuffer(randomBytes(8), true, true);

    const request = new Api.help.GetConfig().getBytes();
    const packet = await state.encryptMessageData(
      Buffer.concat([Buffer.alloc(8, 1), Buffer.alloc(4, 0), Buffer.from([4, 0, 0, 0]), request]),
    );
    expect(packet.subarray(0, 8).equals(authKeyIdBytes(keyBytes))).toBe(true);
    const plain = decryptClientMessage(keyBytes, packet);
    expect(plain.subarray(32, 36).equals(request)).toBe(true);
    expect(() =>
      decryptClientMessage(
        keyBytes,
        Buffer.concat([packet.subarray(0, 30), Buffer.alloc(1, 7), packet.subarray(31)]),
      ),
    ).toThrow();

    const pong = new Api.Pong({
      msgId: readBigIntFromBuffer(randomBytes(8), true, true),
      pingId: readBigIntFromBuffer(randomBytes(8), true, true),
    });
    const body = pong.getBytes();
    const msgId = (BigInt(Math.floor(Date.now() / 1000)) << 32n) | 1n;
    const header = Buffer.alloc(16);
    header.writeBigInt64LE(msgId, 0);
    header.writeInt32LE(1, 8);
    header.writeInt32LE(body.length, 12);
    const sessionId = Buffer.alloc(8);
    const out = encryptServerMessage(keyBytes, Buffer.concat([Buffer.alloc(8), sessionId, header, body]));
    const message = await state.decryptMessageData(out);
    expect(message.obj).toBeInstanceOf(Api.Pong);
    expect((message.obj as Api.Pong).pingId.equals(pong.pingId)).toBe(true);
  });
});
