/*
 * The scheduler: one timer wheel and exactly one native timer for the whole process.
 *
 *   schedule(deadlineTick) ──► wheel ──nextExpiry()──► one setTimeout (armed for the earliest)
 *                                ▲                            │ fires
 *                                └──── advance(fresh tick) ◄──┘ ──► onExpire(payload) per entry
 *
 * - The native timer is re-armed only when an earlier deadline arrives, or after it fires.
 *   Its handle is cleared before the expired work runs, so work that schedules re-arms cleanly.
 * - setTimeout may fire ~1 ms early against a fresh clock reading. The wheel is advanced to
 *   the fresh tick only, so an entry that is not due stays, and the timer is armed again.
 * - Node clamps delays above 2^31 - 1 ms to 1 ms, so long waits are armed in pieces.
 * - The timer keeps the process alive only while someone waits (see retain/release).
 *
 * Units: ticks are integer milliseconds since `originNs`; `…Ns` are bigint nanoseconds.
 */
import { TimerWheel } from '../wheel/wheel.ts';
import { currentTick } from '../wheel/ticks.ts';
import { hrtimeClock, MAX_TIMER_DELAY_MS, nodeTimer, type HostTimer, type MonotonicClock } from './clock.ts';

export type ExpirySink = (payload: number) => void;

export interface SchedulerOptions {
  clock?: MonotonicClock;
  timer?: HostTimer;
  /** Initial wheel capacity (entries); the wheel grows as needed. */
  capacity?: number;
}

export class Scheduler {
  readonly originNs: bigint;
  readonly clock: MonotonicClock;
  #timer: HostTimer;
  #wheel: TimerWheel;
  #onExpire: ExpirySink = () => {};
  #handle: unknown = null;
  #armedTick = Infinity;
  #waiters = 0;
  /** How many native timers are armed now: 0 or 1, by construction. */
  armedTimers = 0;
  /** How many times a native timer was armed (for the "one timer" checks). */
  armCount = 0;

  constructor(options: SchedulerOptions = {}) {
    this.clock = options.clock ?? hrtimeClock;
    this.#timer = options.timer ?? nodeTimer;
    this.originNs = this.clock.nowNs();
    this.#wheel = new TimerWheel({ capacity: options.capacity ?? 1024, nowTick: 0 });
  }

  /** Where expired payloads go. Set once by the owner of the payload space. */
  setExpirySink(sink: ExpirySink): void {
    this.#onExpire = sink;
  }

  nowTick(): number {
    return currentTick(this.clock.nowNs(), this.originNs);
  }

  get pending(): number {
    return this.#wheel.size;
  }

  /** Returns a wheel handle, or ELAPSED (-1) when the deadline is not after the wheel's time. */
  schedule(deadlineTick: number, payload: number): number {
    const handle = this.#wheel.schedule(deadlineTick, payload);
    if (handle >= 0 && deadlineTick < this.#armedTick) this.#arm(deadlineTick);
    return handle;
  }

  deadlineOf(handle: number): number {
    return this.#wheel.deadlineOf(handle);
  }

  cancel(handle: number): void {
    this.#wheel.cancel(handle);
    // A pending native timer with nothing left to fire would only keep the process awake.
    if (this.#wheel.size === 0 && this.#handle !== null) this.#disarm();
  }

  /** A guest starts waiting: the native timer must keep the process alive. */
  retain(): void {
    if (this.#waiters++ === 0 && this.#handle !== null) this.#timer.keepAlive(this.#handle, true);
  }

  release(): void {
    if (--this.#waiters === 0 && this.#handle !== null) this.#timer.keepAlive(this.#handle, false);
  }

  #arm(deadlineTick: number): void {
    if (this.#handle !== null) this.#disarm();
    // From the exact now, not the floored tick: a floored start would add up to 1 ms of lateness.
    const exactMs = Number(this.clock.nowNs() - this.originNs) / 1e6;
    const delayMs = Math.min(Math.max(deadlineTick - exactMs, 0), MAX_TIMER_DELAY_MS);
    this.#handle = this.#timer.set(this.#fire, delayMs);
    this.#armedTick = deadlineTick;
    this.armedTimers = 1;
    this.armCount++;
    if (this.#waiters === 0) this.#timer.keepAlive(this.#handle, false);
  }

  #disarm(): void {
    this.#timer.clear(this.#handle);
    this.#handle = null;
    this.#armedTick = Infinity;
    this.armedTimers = 0;
  }

  #fire = (): void => {
    this.#handle = null;
    this.#armedTick = Infinity;
    this.armedTimers = 0;
    try {
      this.#wheel.advance(this.nowTick(), this.#onExpire);
    } finally {
      // An expiry callback may have armed a later deadline already; the earliest wins.
      const next = this.#wheel.nextExpiry();
      if (next < this.#armedTick) this.#arm(next);
    }
  };
}
