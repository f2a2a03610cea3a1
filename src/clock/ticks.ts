// The arithmetic of bigint nanoseconds to wheel ticks (1 ms by default; a TimeSource
// may choose a finer tick); its one caller is the runtime's TimeSource
// (src/clock/time-source.ts), which owns the origin and the tick length.
// Deadlines round UP so nothing can fire early; "now" rounds DOWN so a
// deadline is never reported as reached before it truly is. Times before the
// origin map to tick 0, the wheel's first instant.
// u64::MAX ns is 18_446_744_073_710 ms ticks (10x that in 0.1 ms ticks), far inside
// Number.MAX_SAFE_INTEGER.

import { NS_PER_MS as NS_PER_TICK } from '../base/units.ts';

export { NS_PER_TICK, deadlineTick, currentTick };

/** ceil((deadlineNs - originNs) / tickNs), and 0 for deadlines at or before the origin. */
function deadlineTick(deadlineNs: bigint, originNs: bigint, tickNs = NS_PER_TICK): number {
  const deltaNs = deadlineNs - originNs;
  if (deltaNs <= 0n) return 0;
  return Number((deltaNs + tickNs - 1n) / tickNs);
}

/** floor((nowNs - originNs) / tickNs), and 0 for readings before the origin. */
function currentTick(nowNs: bigint, originNs: bigint, tickNs = NS_PER_TICK): number {
  const deltaNs = nowNs - originNs;
  if (deltaNs <= 0n) return 0;
  return Number(deltaNs / tickNs);
}
