// A hand-driven monotonic clock and native timer for unit tests: no real time passes.
import type { HostTimer, MonotonicClock } from '../../src/scheduler/clock.ts';

export const MS = 1_000_000n;

export class FakeClock implements MonotonicClock {
  ns: bigint;
  constructor(startNs = 5_000_000_123n) {
    this.ns = startNs;
  }
  nowNs(): bigint {
    return this.ns;
  }
  advanceNs(ns: bigint): void {
    this.ns += ns;
  }
}

interface PendingTimer {
  id: number;
  callback: () => void;
  dueNs: bigint;
  keepAlive: boolean;
}

/** Records every arm/clear; `fireDue` runs the timers whose time has come on the fake clock. */
export class FakeTimer implements HostTimer {
  readonly clock: FakeClock;
  pending: PendingTimer[] = [];
  delays: number[] = [];
  maxPending = 0;
  #nextId = 1;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }
  set(callback: () => void, delayMs: number): unknown {
    const timer = { id: this.#nextId++, callback, dueNs: this.clock.ns + BigInt(Math.ceil(delayMs * 1e6)), keepAlive: true };
    this.pending.push(timer);
    this.delays.push(delayMs);
    this.maxPending = Math.max(this.maxPending, this.pending.length);
    return timer.id;
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }
  keepAlive(handle: unknown, on: boolean): void {
    const timer = this.pending.find((t) => t.id === handle);
    if (timer) timer.keepAlive = on;
  }
  /** Fires every due timer (as setTimeout would after the loop turns). */
  fireDue(): number {
    let fired = 0;
    for (let timer = this.#due(); timer; timer = this.#due()) {
      this.clear(timer.id);
      timer.callback();
      fired++;
    }
    return fired;
  }
  /** Fires the pending timer now, even if it is not due: setTimeout can be ~1 ms early. */
  fireEarly(): void {
    const timer = this.pending[0];
    this.clear(timer.id);
    timer.callback();
  }
  /** Moves the clock and fires what falls due, in deadline order, 1 ms at a time. */
  advanceMs(ms: number): void {
    for (let i = 0; i < ms; i++) {
      this.clock.advanceNs(MS);
      this.fireDue();
    }
  }
  #due(): PendingTimer | undefined {
    return this.pending.find((t) => t.dueNs <= this.clock.ns);
  }
}
