// A hand-driven monotonic clock and native timer for unit tests: no real time passes.
import type { HostTimer, MonotonicClock } from '../../src/clock/clock.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import type { WallReader } from '../../src/clock/wall-clock.ts';

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

/** A runtime on the fake clock and timer, so a test moves time by hand. */
export function fakeRuntime(options: { startNs?: bigint; capacity?: number; wallClock?: WallReader } = {}) {
  const clock = new FakeClock(options.startNs);
  const timer = new FakeTimer(clock);
  // The sync-mode sleeper moves the fake clock and fires what falls due, as a real sleep would.
  const sleepSync = (ms: number): void => {
    clock.advanceNs(BigInt(Math.ceil(ms * 1e6)));
    timer.fireDue();
  };
  const runtime = new TimingRuntime({ clock, timer, sleepSync, capacity: options.capacity, wallClock: options.wallClock });
  return { clock, timer, runtime, table: runtime.pollables };
}

/** Wraps a timer and counts its arms: the "exactly one native timer" checks. */
export class CountingTimer implements HostTimer {
  armed = 0;
  maxArmed = 0;
  arms = 0;
  #inner: HostTimer;
  #live = new Set<unknown>();
  readonly waitActively?: (ms: number) => boolean;
  constructor(inner: HostTimer) {
    this.#inner = inner;
    if (inner.waitActively !== undefined) this.waitActively = inner.waitActively.bind(inner);
  }
  set(callback: () => void, delayMs: number): unknown {
    this.arms++;
    const handle: unknown = this.#inner.set(() => {
      this.#live.delete(handle);
      this.armed = this.#live.size;
      callback();
    }, delayMs);
    this.#live.add(handle);
    this.armed = this.#live.size;
    this.maxArmed = Math.max(this.maxArmed, this.armed);
    return handle;
  }
  clear(handle: unknown): void {
    this.#live.delete(handle);
    this.armed = this.#live.size;
    this.#inner.clear(handle);
  }
  keepAlive(handle: unknown, on: boolean): void {
    this.#inner.keepAlive(handle, on);
  }
  afterCurrentWork(callback: () => void): void {
    if (this.#inner.afterCurrentWork) this.#inner.afterCurrentWork(callback);
    else callback();
  }
}
