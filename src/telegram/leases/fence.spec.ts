import { fenceVerdict } from './fence';

describe('fenceVerdict', () => {
  const self = 'host:1:aa';
  const other = 'host:2:bb';

  it('lets a write through on a session nobody ever leased', () => {
    expect(fenceVerdict(undefined, undefined, self)).toBe('ok');
  });

  it('lets the holder write while its lease is live, and after it released it', () => {
    const mine = { token: '10', releasedAt: undefined };
    expect(fenceVerdict({ owner: self, token: '10', live: true }, mine, self)).toBe('ok');
    expect(
      fenceVerdict({ owner: null, token: '10', live: false }, { token: '10', releasedAt: 1 }, self),
    ).toBe('ok');
  });

  it('refuses a write once another replica acquired the lease after ours (even if it released it again)', () => {
    const mine = { token: '10', releasedAt: undefined };
    expect(fenceVerdict({ owner: other, token: '11', live: true }, mine, self)).toBe('taken_over');
    expect(fenceVerdict({ owner: null, token: '11', live: false }, mine, self)).toBe('taken_over');
  });

  it('refuses a write under our own lease once it expired unreleased (paused past the TTL)', () => {
    const mine = { token: '10', releasedAt: undefined };
    expect(fenceVerdict({ owner: self, token: '10', live: false }, mine, self)).toBe('expired');
  });

  it('refuses a replica that never held the lease while another holds it, not after it expired', () => {
    expect(fenceVerdict({ owner: other, token: '5', live: true }, undefined, self)).toBe('held_elsewhere');
    expect(fenceVerdict({ owner: other, token: '5', live: false }, undefined, self)).toBe('ok');
    expect(fenceVerdict({ owner: null, token: '5', live: false }, undefined, self)).toBe('ok');
  });
});
