/*
 * TimeSource: where time enters one runtime. It owns the monotonic clock, the
 * origin (the clock's reading when the runtime was built: tick 0) and every
 * conversion between bigint nanoseconds and wheel ticks, so nothing else does
 * arithmetic on the origin.
 *
 * Why one per runtime: a run chooses its clock (real, virtual); two runtimes in
 * one process keep apart. The conversions round deadlines UP (nothing fires
 * early) and "now" DOWN (a deadline is never reported reached before it is);
 * see src/wheel/ticks.ts, which holds the pure arithmetic.
 */
import type { MonotonicClock } from '../scheduler/clock.ts';
import { currentTick, deadlineTick } from '../wheel/ticks.ts';
import { NS_PER_MS } from './units.ts';

export class TimeSource {
  readonly clock: MonotonicClock;
  readonly originNs: bigint;
  /** The clock read itself (bound), so hot paths pay one call. */
  readonly nowNs: () => bigint;

  constructor(clock: MonotonicClock) {
    this.clock = clock;
    this.nowNs = clock.nowNs.bind(clock);
    this.originNs = this.nowNs();
  }

  /** The tick `instantNs` falls in (floor); 0 before the origin. */
  tickOf(instantNs: bigint): number {
    return currentTick(instantNs, this.originNs);
  }

  nowTick(): number {
    return currentTick(this.nowNs(), this.originNs);
  }

  /** The first tick at or after `deadlineNs` (ceil); 0 at or before the origin. */
  deadlineToTick(deadlineNs: bigint): number {
    return deadlineTick(deadlineNs, this.originNs);
  }

  /** The instant a tick starts at. */
  tickStartNs(tick: number): bigint {
    return this.originNs + BigInt(tick) * NS_PER_MS;
  }

  /**
   * Milliseconds (fractional) from the exact now until `tick` starts; negative
   * when it has passed. From the exact now, not the floored tick: a floored
   * start would add up to 1 ms of lateness to every wait.
   */
  msUntilTick(tick: number): number {
    return tick - Number(this.nowNs() - this.originNs) / 1e6;
  }
}
