/*
 * The scheduler: one timer wheel and exactly one native timer per runtime.
 *
 *   schedule(deadlineTick) ──► wheel ──nextExpiry()──► one host timer (armed for the earliest)
 *                                ▲                            │ fires
 *                                └──── advance(fresh tick) ◄──┘ ──► onExpire(payload) per entry
 *
 * - The native timer is re-armed only when an earlier deadline arrives, or after it fires.
 *   Its handle is cleared before the expired work runs, so work that schedules re-arms cleanly.
 * - setTimeout may fire ~1 ms early against a fresh clock reading. The wheel is advanced to
 *   the fresh tick only, so an entry that is not due stays, and the timer is armed again.
 * - Node clamps delays above 2^31 - 1 ms to 1 ms, so long waits are armed in pieces.
 * - The timer keeps the process alive only while someone waits (see retain/release).
 * - Where expired payloads go is fixed at construction (`onExpire`): the owner of the
 *   payload space (the pollable table) builds its scheduler.
 *
 * Units: ticks are integer milliseconds since the TimeSource's origin.
 */
import type { TimeSource } from '../time/time-source.ts';
import { TimerWheel } from '../wheel/wheel.ts';
import { MAX_TIMER_DELAY_MS, nodeTimer, type HostTimer } from './clock.ts';

export type ExpirySink = (payload: number) => void;

export interface SchedulerOptions {
  time: TimeSource;
  onExpire: ExpirySink;
  timer?: HostTimer;
  /** Initial wheel capacity (entries); the wheel grows as needed. */
  capacity?: number;
}

export class Scheduler {
  readonly time: TimeSource;
  #timer: HostTimer;
  #wheel: TimerWheel;
  #onExpire: ExpirySink;
  #handle: unknown = null;
  #armedTick = Infinity;
  #waiters = 0;

  constructor(options: SchedulerOptions) {
    this.time = options.time;
    this.#onExpire = options.onExpire;
    this.#timer = options.timer ?? nodeTimer;
    this.#wheel = new TimerWheel({ capacity: options.capacity ?? 1024, nowTick: 0 });
  }

  get pending(): number {
    return this.#wheel.size;
  }

  /** Whether the native timer is armed (at most one ever is). */
  get armed(): boolean {
    return this.#handle !== null;
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
    const delayMs = Math.min(Math.max(this.time.msUntilTick(deadlineTick), 0), MAX_TIMER_DELAY_MS);
    this.#handle = this.#timer.set(this.#fire, delayMs);
    this.#armedTick = deadlineTick;
    if (this.#waiters === 0) this.#timer.keepAlive(this.#handle, false);
  }

  #disarm(): void {
    this.#timer.clear(this.#handle);
    this.#handle = null;
    this.#armedTick = Infinity;
  }

  #fire = (): void => {
    this.#handle = null;
    this.#armedTick = Infinity;
    try {
      this.#wheel.advance(this.time.nowTick(), this.#onExpire);
    } finally {
      // An expiry callback may have armed a later deadline already; the earliest wins.
      const next = this.#wheel.nextExpiry();
      if (next < this.#armedTick) this.#arm(next);
    }
  };
}
