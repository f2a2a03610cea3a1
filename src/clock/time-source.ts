/*
 * TimeSource: where time enters one runtime. It owns the monotonic clock, the
 * origin (the clock's reading when the runtime was built: tick 0) and every
 * conversion between bigint nanoseconds and wheel ticks, so nothing else does
 * arithmetic on the origin.
 *
 * Why one per runtime: a run chooses its clock (real, virtual) and its tick
 * (1 ms by default; real time uses 0.1 ms, see timing/timing-runtime.ts); two runtimes
 * in one process keep apart. The conversions round deadlines UP (nothing fires
 * early) and "now" DOWN (a deadline is never reported reached before it is);
 * see src/clock/ticks.ts, which holds the pure arithmetic.
 */
import type { MonotonicClock } from './clock.ts';
import { currentTick, deadlineTick } from './ticks.ts';
import { NS_PER_MS } from '../base/units.ts';

export class TimeSource {
  readonly clock: MonotonicClock;
  readonly originNs: bigint;
  /** The clock read itself (bound), so hot paths pay one call. */
  readonly nowNs: () => bigint;
  /** The length of one wheel tick, ns: how far a deadline may be rounded up. */
  readonly tickNs: bigint;

  constructor(clock: MonotonicClock, tickNs: bigint = NS_PER_MS) {
    if (typeof tickNs !== 'bigint' || tickNs < 1n || tickNs > NS_PER_MS) {
      throw new RangeError(`TimeSource: tickNs must be a bigint in 1..${NS_PER_MS} ns, got ${String(tickNs)} (${typeof tickNs})`);
    }
    this.clock = clock;
    this.tickNs = tickNs;
    this.nowNs = clock.nowNs.bind(clock);
    this.originNs = this.nowNs();
  }

  /** The tick `instantNs` falls in (floor); 0 before the origin. */
  tickOf(instantNs: bigint): number {
    return currentTick(instantNs, this.originNs, this.tickNs);
  }

  nowTick(): number {
    return currentTick(this.nowNs(), this.originNs, this.tickNs);
  }

  /** The first tick at or after `deadlineNs` (ceil); 0 at or before the origin. */
  deadlineToTick(deadlineNs: bigint): number {
    return deadlineTick(deadlineNs, this.originNs, this.tickNs);
  }

  /** The instant a tick starts at. */
  tickStartNs(tick: number): bigint {
    return this.originNs + BigInt(tick) * this.tickNs;
  }

  /**
   * Milliseconds (fractional) from the exact now until `tick` starts; negative
   * when it has passed. From the exact now, not the floored tick: a floored
   * start would add up to 1 ms of lateness to every wait.
   */
  msUntilTick(tick: number): number {
    return Number(this.tickStartNs(tick) - this.nowNs()) / 1e6;
  }
}
