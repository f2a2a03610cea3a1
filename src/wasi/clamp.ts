// Sleep clamping: the policy every subscription goes through.
//
// How and why
// - The effective delay of a subscription is clamped to [minNs, maxNs].
//   `subscribe-duration(d)` asks for `d`; `subscribe-instant(t)` asks for
//   `delayUntil(t, now)`, i.e. it is measured from the moment of the call.
// - A request that is already due (subscribe-duration(0), or an instant at or
//   before now) is raised to minNs like any other, with its SleepClamped event:
//   the seed's "min_sleep_duration prevents tight-loop polling". Under JSPI a
//   ready poll returns without suspending, so a guest looping on
//   poll([subscribe-duration(0)]) would hold the thread and starve every other
//   actor's timers. minNs = 0 keeps WASI's ready-at-once behaviour.
// - `maxNs` stops a guest from parking a pollable for ever.
// Pure and allocation-light: one small object per call, no string work, so
// adapters can call it on every subscription.

import type { ClampReason } from '../events/types.ts';

/** Limits in nanoseconds, as the WASI adapters use them. Invariant: minNs <= maxNs. */
export interface TimingLimits {
  minNs: bigint;
  maxNs: bigint;
}

export interface ClampResult {
  appliedNs: bigint;
  /** The limit that changed the request, or null when it was within limits. */
  reason: ClampReason | null;
}

/** Delay from `nowNs` until `whenNs`, saturating at 0 for instants not in the future. */
export function delayUntil(whenNs: bigint, nowNs: bigint): bigint {
  return whenNs > nowNs ? whenNs - nowNs : 0n;
}

/** Clamps a requested delay (ns, negative treated as 0) to the limits. */
export function clampSleep(requestedNs: bigint, limits: TimingLimits): ClampResult {
  const wantedNs = requestedNs < 0n ? 0n : requestedNs;
  if (wantedNs < limits.minNs) return { appliedNs: limits.minNs, reason: 'min_sleep_duration' };
  if (wantedNs > limits.maxNs) return { appliedNs: limits.maxNs, reason: 'max_sleep_duration' };
  return { appliedNs: wantedNs, reason: null };
}
