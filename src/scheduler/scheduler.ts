// Over 200 lines: arming, expiring and the held-loop rule share one native-timer state that must change together.
/*
 * The scheduler: one timer wheel and exactly one native timer per runtime.
 *
 *   schedule(deadlineTick) ──► wheel ──nextExpiry()──► one host timer (armed for the earliest)
 *                                ▲                            │ fires
 *                                └──── advance(fresh tick) ◄──┘ ──► onExpire(payload) per entry
 *
 * - The native timer is re-armed only when an earlier deadline arrives, or after it fires.
 *   Its handle is cleared before the expired work runs, so work that schedules re-arms cleanly.
 *   After a batch that woke someone it is re-armed once that work is done (afterCurrentWork):
 *   Node counts a delay from the loop time it read last, before the woken guests ran. What
 *   fell due meanwhile is expired right there, one macrotask per batch, so I/O and other
 *   timers run between batches and no batch waits Node's 1 ms minimum delay.
 * - setTimeout may fire ~1 ms early against a fresh clock reading. The wheel is advanced to
 *   the fresh tick only, so an entry that is not due stays, and the timer is armed again.
 * - Node clamps delays above 2^31 - 1 ms to 1 ms, so long waits are armed in pieces.
 * - Guest work can hold the loop (one long microtask drain) while deadlines pass; once the
 *   earliest is HELD_LOOP_MS overdue, guest-path calls expire what is due until the loop
 *   turns (expireDue).
 * - Node wakes whole milliseconds after it is asked, ~0.2 ms late. With credit (WaitBudget),
 *   the timer is asked for the whole ms before a deadline and the rest is waited out on the
 *   thread; after a batch, a deadline due within the credit is waited for the same way. Only
 *   a real-time timer can wait so (HostTimer.waitActively), and never while other guest
 *   calls wait to enter.
 * - The timer keeps the process alive only while someone waits (see retain/release).
 * - Where expired payloads go is fixed at construction (`onExpire`): the owner of the
 *   payload space (the pollable table) builds its scheduler.
 *
 * Units: ticks are integer counts of the TimeSource's tick (time.tickNs) since its origin.
 */
import type { TimeSource } from '../clock/time-source.ts';
import { TimerWheel } from '../wheel/wheel.ts';
import { MAX_TIMER_DELAY_MS, nodeTimer, type HostTimer } from '../clock/clock.ts';
import { CAP_MS, WaitBudget } from './wait-budget.ts';

export type ExpirySink = (payload: number) => void;

/** How overdue the earliest timer must be before guest-path calls expire it (see expireDue). */
export const HELD_LOOP_MS = 1;

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
  /** True while the wheel advances: expiry callbacks may not start another advance. */
  #expiring = false;
  /** An arm for #armedTick waits for the current work to finish (see #expire). */
  #armQueued = false;
  /** HELD_LOOP_MS in ticks. */
  readonly #heldTicks: number;
  /** Guest work has held the loop past a deadline and the loop has not turned since. */
  #held = false;
  /** Active waits for sub-ms remainders (real time only: the timer has waitActively). */
  #budget: WaitBudget | null;

  constructor(options: SchedulerOptions) {
    this.time = options.time;
    this.#onExpire = options.onExpire;
    this.#timer = options.timer ?? nodeTimer();
    this.#wheel = new TimerWheel({ capacity: options.capacity ?? 1024, nowTick: 0 });
    this.#heldTicks = Math.ceil((HELD_LOOP_MS * 1e6) / Number(this.time.tickNs));
    this.#budget = this.#timer.waitActively === undefined ? null : new WaitBudget(() => Number(this.time.nowNs()) / 1e6);
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
    if (this.#wheel.size === 0) this.#disarm();
  }

  /** A guest starts waiting: the native timer must keep the process alive. */
  retain(): void {
    if (this.#waiters++ === 0 && this.#handle !== null) this.#timer.keepAlive(this.#handle, true);
  }

  release(): void {
    if (--this.#waiters === 0 && this.#handle !== null) this.#timer.keepAlive(this.#handle, false);
  }

  /**
   * Expires every entry due by `nowTick` (a fresh reading) at once, as the native timer
   * would, when guest work holds the loop: once the earliest is HELD_LOOP_MS overdue, and
   * from then on as soon as anything is due, until the loop turns (the timer fires, or the
   * work queued after a batch runs). The table calls it from the guest path (subscribe,
   * scan, ready, drop): a fleet's start admits inits for a whole slice per loop turn
   * (thread/admission.ts), and no timer fires within it. Why not at once: inside an
   * ordinary batch drain, a guest woken from the drain queues behind every hop already
   * queued, and each resumed guest's calls pull the next into the same drain; the timer's
   * batches serve that better (issue 14's trace). 1 ms overdue means something longer than
   * a batch holds the loop. Nothing not yet due is touched (never early); one comparison
   * otherwise.
   */
  expireDue(nowTick: number): void {
    if (this.#expiring || nowTick < this.#armedTick + (this.#held ? 0 : this.#heldTicks)) return;
    this.#held = true;
    this.#disarm();
    this.#expire(nowTick);
  }

  #arm(deadlineTick: number): void {
    if (this.#handle !== null) this.#disarm();
    let delayMs = Math.min(Math.max(this.time.msUntilTick(deadlineTick), 0), MAX_TIMER_DELAY_MS);
    // With credit for the remainder, ask for the whole ms before the deadline (Node wakes
    // ~0.2 ms after it) and wait out the rest on the thread: see #fire.
    if (this.#budget !== null && delayMs >= 1 && this.#budget.creditMs >= CAP_MS) delayMs = Math.floor(delayMs);
    this.#handle = this.#timer.set(this.#fire, delayMs);
    this.#armedTick = deadlineTick;
    if (this.#waiters === 0) this.#timer.keepAlive(this.#handle, false);
  }

  #disarm(): void {
    if (this.#handle !== null) this.#timer.clear(this.#handle);
    this.#handle = null;
    this.#armedTick = Infinity;
  }

  #fire = (): void => {
    const armedTick = this.#armedTick;
    this.#held = false;
    this.#handle = null;
    this.#armedTick = Infinity;
    this.#expire(this.#waitFor(armedTick));
  };

  /**
   * The tick now, once `tick` has come if it is at most the wait budget away (waiting on
   * the thread for it); otherwise the tick now. Never early: the clock is read again.
   */
  #waitFor(tick: number): number {
    const nowTick = this.time.nowTick();
    if (nowTick >= tick || this.#budget === null) return nowTick;
    const waitMs = this.time.msUntilTick(tick);
    if (!this.#budget.affords(waitMs) || this.#timer.waitActively?.(waitMs) !== true) return nowTick;
    this.#budget.spend(waitMs);
    return this.time.nowTick();
  }

  #expire(nowTick: number): void {
    this.#expiring = true;
    let fired = 0;
    try {
      fired = this.#wheel.advance(nowTick, this.#onExpire);
      if (fired > 0) this.#budget?.earnWakes(fired);
    } finally {
      this.#expiring = false;
      // An expiry callback may have armed a later deadline already; the earliest wins.
      const next = this.#wheel.nextExpiry();
      if (next < this.#armedTick) {
        // The woken guests resume in the microtask drain after this; armed now, Node would
        // count the delay from before that drain and the wait would grow by all of it.
        if (fired > 0 && this.#timer.afterCurrentWork !== undefined) this.#armAfterWork(next);
        else this.#arm(next);
      }
    }
  }

  #armAfterWork(deadlineTick: number): void {
    this.#armedTick = deadlineTick;
    if (this.#armQueued) return;
    this.#armQueued = true;
    this.#timer.afterCurrentWork?.(this.#armQueuedTick);
  }

  /**
   * The queued arm: still wanted unless a schedule armed the timer or a cancel emptied the
   * wheel meanwhile. When the next entry fell due while the woken guests ran, it is expired
   * here, in its own macrotask: Node runs a timer for 0 ms only a whole ms later.
   */
  #armQueuedTick = (): void => {
    this.#armQueued = false;
    this.#held = false;
    if (this.#handle !== null || this.#armedTick === Infinity) return;
    const nowTick = this.#waitFor(this.#armedTick);
    if (nowTick < this.#armedTick) return this.#arm(this.#armedTick);
    this.#armedTick = Infinity;
    this.#expire(nowTick);
  };
}
