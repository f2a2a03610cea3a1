/*
 * TimingRuntime: everything one run needs to serve time, built once and passed
 * down. It holds the TimeSource (clock + origin), the pollable table (which
 * builds the scheduler and its single native timer), the wall clock, the
 * clock resolution and how a sync-mode wait sleeps.
 *
 * Why: time is a choice of each run (real or virtual, see virtual.ts), so no
 * module keeps a process-wide clock, table or resolution. Two runtimes in one
 * process are independent; the actors of one runtime share its one timer.
 */
import { PollableTable } from '../pollables/table.ts';
import { hrtimeClock, nodeTimer, observedResolutionNs, type HostTimer, type MonotonicClock } from '../clock/clock.ts';
import { WallClock, type WallReader } from '../clock/wall-clock.ts';
import { TimeSource } from '../clock/time-source.ts';
import { Thread } from '../thread/thread.ts';
import { WaitRegistry, type Waiting } from './waits.ts';

/** What the runtime's hosts see of its pollable table: everything but the timer's keep-alive, which beginWait/endWait hold. */
export type Pollables = Omit<PollableTable, 'retainTimer' | 'releaseTimer'>;

export type ClockKind = 'real' | 'virtual';

export interface TimingRuntimeOptions {
  /** Default 'real'; virtual runtimes come from virtualRuntime(). */
  kind?: ClockKind;
  /** The monotonic clock (default process.hrtime), or a TimeSource already built on one. */
  clock?: MonotonicClock | TimeSource;
  /** The wheel's tick, ns, when the runtime builds its TimeSource (default REAL_TICK_NS). */
  tickNs?: bigint;
  /** What this runtime's guests share of the thread (slice, admission); default: a new one. */
  thread?: Thread;
  /** The native timer (default nodeTimer, which never waits on the thread while guest calls queue). */
  timer?: HostTimer;
  /**
   * Default true: wait on the thread for deadlines less than a ms away, within a budget
   * (scheduler/wait-budget.ts). False: leave every deadline to Node's timer (whole ms);
   * for processes that share their cores with more processes than cores. Ignored when
   * `timer` is given.
   */
  activeWait?: boolean;
  wallClock?: WallReader;
  /** The reported resolution; default: measured from the clock on first use. */
  resolutionNs?: bigint;
  /** How a sync-mode wait sleeps (default Atomics.wait). */
  sleepSync?: (ms: number) => void;
  /** Live pollables in all of this runtime's actors at most (default MAX_LIVE_POLLABLES, see pollables/table.ts). */
  maxLivePollables?: number;
  /** Who waits; virtual time passes its own, to hear when a wait begins. */
  waits?: WaitRegistry;
  /** Initial pollable table capacity. */
  capacity?: number;
}

/**
 * The real-time tick: 0.1 ms. Deadlines round up to a tick, so a 1 ms tick alone made
 * every wake-up 0.5 ms late on average, on top of Node's own whole-ms timer; at 0.1 ms
 * the round-up is 0.05 ms on average and the wheel's work is the same for sleeps up to
 * ~0.4 s (one cascade). Virtual time keeps 1 ms ticks (see virtual.ts).
 */
export const REAL_TICK_NS = 100_000n;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread for `ms` without spinning. */
export function atomicsSleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export class TimingRuntime {
  readonly kind: ClockKind;
  readonly time: TimeSource;
  /** Every pollable of this runtime's actors (its timers keep the process alive through beginWait). */
  readonly pollables: Pollables;
  #table: PollableTable;
  readonly wallClock: WallReader;
  readonly sleepSync: (ms: number) => void;
  readonly waits: WaitRegistry;
  readonly thread: Thread;
  #resolutionNs: bigint | null;

  constructor(options: TimingRuntimeOptions = {}) {
    this.kind = options.kind ?? 'real';
    const clock = options.clock ?? hrtimeClock;
    this.time = clock instanceof TimeSource ? clock : new TimeSource(clock, options.tickNs ?? REAL_TICK_NS);
    const thread = options.thread ?? new Thread();
    this.thread = thread;
    const timer = options.timer ?? nodeTimer({ busy: () => thread.busy, activeWait: options.activeWait });
    this.#table = new PollableTable({ time: this.time, timer, capacity: options.capacity ?? 4096, maxLive: options.maxLivePollables });
    this.pollables = this.#table;
    this.wallClock = options.wallClock ?? new WallClock();
    this.sleepSync = options.sleepSync ?? atomicsSleep;
    this.waits = options.waits ?? new WaitRegistry();
    this.#resolutionNs = options.resolutionNs ?? null;
  }

  /** The smallest step the monotonic clock is seen to take, measured once per runtime. */
  resolutionNs(): bigint {
    this.#resolutionNs ??= observedResolutionNs(this.time.clock);
    return this.#resolutionNs;
  }

  /** An actor starts waiting: the native timer keeps the process alive meanwhile. */
  beginWait(owner: number, waiting: Waiting): void {
    this.#table.retainTimer();
    this.waits.begin(owner, waiting);
  }

  endWait(owner: number): void {
    this.waits.end(owner);
    this.#table.releaseTimer();
  }
}
