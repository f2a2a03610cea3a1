/*
 * Virtual time: a clock that stands still while any actor runs, and jumps.
 *
 * How: the runtime's one native timer is a VirtualTimer. When the scheduler
 * arms it, or an actor starts to wait, it queues one check with setImmediate.
 * Actors run in microtasks (JSPI resumes a guest from a resolved promise), so
 * by the time the check runs no actor is running: each live one finished or
 * waits. Then:
 *   - nobody waits             → nothing happens (time does not move for no one);
 *   - a timer is armed         → the clock jumps to the start of its tick and the
 *                                timer fires; woken actors run; repeat;
 *   - nothing is armed         → no timer can ever wake the waiters (an external
 *                                pollable nothing sets): each waiting call fails
 *                                with a trap that names every waiting actor.
 * Readings are what real time gives with zero lateness: a wake-up lands exactly
 * on its deadline's tick (virtual ticks are whole ms: deadlines round up to whole
 * ms; real time rounds up to 0.1 ms), and
 * sync-mode sleeps move the clock the same way. The monotonic clock starts at
 * VIRTUAL_START_NS, the wall clock at `startWallNs`; both move together.
 * External sources set from real I/O do not fit virtual time: use real time.
 */
import { Thread } from '../thread/thread.ts';
import type { HostTimer, MonotonicClock } from '../clock/clock.ts';
import { splitDatetime, type Datetime, type WallReader } from '../clock/wall-clock.ts';
import { WasiTrap } from '../base/trap.ts';
import { TimeSource } from '../clock/time-source.ts';
import { TimingRuntime } from './timing-runtime.ts';
import { WaitRegistry } from './waits.ts';

/** The virtual monotonic clock's first reading: 1 s, a fixed positive instant. */
export const VIRTUAL_START_NS = 1_000_000_000n;
/** The virtual wall clock's default start: 2025-01-01T00:00:00Z, in ns since the epoch (guests check plausibility). */
export const VIRTUAL_EPOCH_NS = 1_735_689_600_000_000_000n;
/**
 * max_cpu_ms when a virtual-time actor's config leaves it out: virtual time
 * moves only while every actor waits, so a guest that spins without waiting
 * (a `now()` busy loop waiting for time to pass) would hang the run forever.
 * 5 s of running in one call, waits not counted, is far more than a test or
 * simulation step computes, and short enough that a hang shows as a trap.
 */
export const VIRTUAL_DEFAULT_CPU_MS = 5_000;
export const VIRTUAL_CPU_REASON = 'the default under virtual time, where the clock stands still while a guest runs, so a guest that never waits would hang the run; set max_cpu_ms to change it';
/** Waiting actors named in a stall message; the rest are counted. */
const NAMED_IN_STALL = 5;

export class VirtualClock implements MonotonicClock {
  #ns: bigint;
  constructor(startNs = VIRTUAL_START_NS) {
    this.#ns = startNs;
  }
  nowNs(): bigint {
    return this.#ns;
  }
  /** Moves forward to `ns`; never backward. */
  advanceTo(ns: bigint): void {
    if (ns > this.#ns) this.#ns = ns;
  }
}

/** The instant `delayMs` after now, on the tick grid: where a timer armed for that delay is due. */
export function tickAfter(time: TimeSource, delayMs: number): bigint {
  // delayMs = tick start - exact now in ms (see Scheduler), so rounding recovers the whole tick.
  const ticks = ((delayMs - time.msUntilTick(0)) * 1e6) / Number(time.tickNs);
  return time.tickStartNs(Math.round(ticks));
}

interface Armed {
  callback: () => void;
  /** Where the clock jumps when this timer fires: fixed when armed, so a sync-mode sleep in between cannot move it. */
  atNs: bigint;
}

export class VirtualTimer implements HostTimer {
  readonly waits: WaitRegistry;
  #clock: VirtualClock;
  #time: TimeSource;
  #armed: Armed | null = null;
  #checkQueued = false;
  #thread: Thread;

  constructor(clock: VirtualClock, time: TimeSource, thread: Thread) {
    this.#clock = clock;
    this.#time = time;
    this.#thread = thread;
    this.waits = new WaitRegistry(this.#queueCheck);
  }

  set(callback: () => void, delayMs: number): unknown {
    const armed = { callback, atNs: tickAfter(this.#time, delayMs) };
    this.#armed = armed;
    this.#queueCheck();
    return armed;
  }

  clear(handle: unknown): void {
    if (this.#armed === handle) this.#armed = null;
  }

  keepAlive(): void {
    // A queued check is all that keeps a virtual run going; it always settles.
  }

  #queueCheck = (): void => {
    if (this.#checkQueued) return;
    this.#checkQueued = true;
    setImmediate(this.#check);
  };

  #check = (): void => {
    this.#checkQueued = false;
    if (this.waits.size === 0) return;
    // Guest calls still waiting to enter (thread/admission.ts) have yet to run: time stands still
    // until every one has, so what they see never depends on how the real slices fell.
    if (this.#thread.busy) return this.#queueCheck();
    const armed = this.#armed;
    if (armed !== null) {
      this.#armed = null;
      this.#clock.advanceTo(armed.atNs);
      armed.callback();
      return;
    }
    const waiting = this.waits.entries();
    const named = waiting.slice(0, NAMED_IN_STALL).map((w) => `${w.actorId} waits on ${w.describe()}`);
    if (waiting.length > NAMED_IN_STALL) named.push(`and ${waiting.length - NAMED_IN_STALL} more`);
    const error = new WasiTrap(`virtual time cannot advance: every live actor waits and no timer is pending (${named.join('; ')})`);
    for (const w of waiting) w.fail(error);
  };
}

/** The wall clock of a virtual runtime: `startWallNs` plus the virtual time elapsed. */
export function virtualWall(clock: MonotonicClock, startWallNs: bigint): WallReader {
  const startMonoNs = clock.nowNs();
  return { now: (): Datetime => splitDatetime(startWallNs + (clock.nowNs() - startMonoNs)) };
}

export interface VirtualRuntimeOptions {
  /** The wall clock's start, ns since the epoch (default VIRTUAL_EPOCH_NS). */
  startWallNs?: bigint;
  capacity?: number;
}

/** A runtime on virtual time; its resolution is 1 ns, as a clock that only jumps can honestly claim. */
export function virtualRuntime(options: VirtualRuntimeOptions = {}): TimingRuntime {
  const clock = new VirtualClock();
  const time = new TimeSource(clock);
  const thread = new Thread();
  const timer = new VirtualTimer(clock, time, thread);
  return new TimingRuntime({
    kind: 'virtual',
    thread,
    clock: time,
    timer,
    waits: timer.waits,
    wallClock: virtualWall(clock, options.startWallNs ?? VIRTUAL_EPOCH_NS),
    resolutionNs: 1n,
    sleepSync: (ms) => clock.advanceTo(tickAfter(time, ms)),
    capacity: options.capacity,
  });
}
