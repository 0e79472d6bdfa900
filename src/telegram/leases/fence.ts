/** The lease row as the fencing check reads it. */
export interface FenceRow {
  owner: string | null;
  token: string;
  live: boolean;
}

/** The last token this replica was granted for a key; `releasedAt` once it gave the lease up. */
export interface HeldToken {
  token: string;
  releasedAt: number | undefined;
}

export type FenceVerdict = 'ok' | 'taken_over' | 'expired' | 'held_elsewhere';

/**
 * May this replica write the state of the session whose lease row is `row`?
 * - no row: nobody ever leased it (a brand-new login row) → yes;
 * - this replica was granted a token: only while the row still carries that token (nobody acquired
 *   it since), and not when its own lease ran out unreleased (it was paused or cut off past the TTL);
 *   a lease it released itself is fine (the write that follows a run);
 * - it never held the lease: only when no other replica holds it now.
 */
export function fenceVerdict(
  row: FenceRow | undefined,
  mine: HeldToken | undefined,
  self: string,
): FenceVerdict {
  if (!row) return 'ok';
  if (mine) {
    if (row.token !== mine.token) return 'taken_over';
    if (row.owner === self && !row.live) return 'expired';
    return 'ok';
  }
  if (row.owner !== null && row.owner !== self && row.live) return 'held_elsewhere';
  return 'ok';
}
