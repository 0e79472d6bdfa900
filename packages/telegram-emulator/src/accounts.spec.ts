import { accountByUserId, loginCodeFor, lookupAccount, normalizePhone } from './accounts';
import { EmulatorClock } from './clock';

describe('emulator accounts (phone rules)', () => {
  it('parses 99966XYYYY with or without +: home DC, code, 2FA and flood ranges', () => {
    expect(normalizePhone('+9996621234')).toBe('9996621234');
    expect(lookupAccount('+9996621234')).toMatchObject({
      phone: '9996621234',
      homeDcId: 2,
      loginCode: '22222',
    });
    expect(lookupAccount('9996632000')).toMatchObject({ homeDcId: 3, hasPassword: true });
    expect(lookupAccount('9996631999')).toMatchObject({
      hasPassword: false,
      sendCodeFloodSeconds: undefined,
    });
    expect(lookupAccount('9996618999')).toMatchObject({ sendCodeFloodSeconds: 120 });
    expect(loginCodeFor('9996611234')).toBe('11111');
    for (const bad of [
      '9996601234',
      '9996641234',
      '999662123',
      '99966212345',
      '+1 555 0100',
      '++9996621234',
    ]) {
      expect(lookupAccount(bad)).toBeUndefined();
    }
  });

  it('derives stable users and finds them again by id', () => {
    const a = lookupAccount('9996621234');
    expect(a).toEqual(lookupAccount('+9996621234'));
    expect(a?.userId).toBe(7_000_021_234n);
    expect(accountByUserId(7_000_021_234n)).toEqual(a);
    expect(accountByUserId(7_000_041_234n)).toBeUndefined();
  });

  it('lets tests move the clock', () => {
    let wall = 1_000_000;
    const clock = new EmulatorClock(() => wall);
    clock.advance(5_000);
    expect(clock.now()).toBe(1_005_000);
    wall += 1_000;
    expect(clock.now()).toBe(1_006_000);
    clock.set(2_000_000);
    expect(clock.now()).toBe(2_000_000);
    expect(clock.nowSeconds()).toBe(2_000);
  });
});
