// The arithmetic of bigint nanoseconds to wheel ticks (1 tick = 1 ms); its one
// caller is the runtime's TimeSource (src/time/time-source.ts), which owns the origin.
// Deadlines round UP so nothing can fire early; "now" rounds DOWN so a
// deadline is never reported as reached before it truly is. Times before the
// origin map to tick 0, the wheel's first instant.
// u64::MAX ns is 18_446_744_073_710 ticks, far inside Number.MAX_SAFE_INTEGER.

import { NS_PER_MS as NS_PER_TICK } from '../time/units.ts';

export { NS_PER_TICK, deadlineTick, currentTick };

/** ceil((deadlineNs - originNs) / 1 ms), and 0 for deadlines at or before the origin. */
function deadlineTick(deadlineNs: bigint, originNs: bigint): number {
  const deltaNs = deadlineNs - originNs;
  if (deltaNs <= 0n) return 0;
  return Number((deltaNs + NS_PER_TICK - 1n) / NS_PER_TICK);
}

/** floor((nowNs - originNs) / 1 ms), and 0 for readings before the origin. */
function currentTick(nowNs: bigint, originNs: bigint): number {
  const deltaNs = nowNs - originNs;
  if (deltaNs <= 0n) return 0;
  return Number(deltaNs / NS_PER_TICK);
}
