/*
 * TimingHost: one actor instance's view of time. The WASI adapters (imports.ts,
 * poll.ts, external.ts) call it and nothing below it. It reads the runtime's
 * clock, clamps each sleep to the actor's limits (clamp.ts), owns the actor's
 * pollables in the runtime's PollableTable, and waits in the actor's execution
 * mode. Data flows one way: adapter → host → clamp → table → scheduler → wheel.
 *
 * Waiting (block / poll with nothing ready):
 *   jspi: park a waiter on the actor's owner and return one promise per call. The
 *         waiter re-scans synchronously where a pollable becomes ready (the wheel's
 *         expiry, setReady) and resolves the call's promise once something is
 *         ready, so the guest resumes two microtask hops after its timer expires.
 *   sync: sleep until the earliest listed deadline, re-scan. External sources
 *         cannot become ready while the thread sleeps, so a list with no timer
 *         and nothing ready traps instead of hanging.
 */
import type { EventSink } from '../events/types.ts';
import type { Waiter } from '../pollables/owners.ts';
import type { HandleRef as PollableRef } from '../pollables/table.ts';
import type { RunMeter } from '../thread/run-meter.ts';
import type { EventLoopSlice } from '../thread/slice.ts';
import type { Pollables, TimingRuntime } from '../timing/timing-runtime.ts';
import { U64_MAX } from '../base/units.ts';
import { clampSleep, type TimingLimits } from './clamp.ts';
import type { ExecutionMode } from './mode.ts';
import { quoted, WasiTrap } from '../base/trap.ts';
import type { Datetime } from '../clock/wall-clock.ts';
import type { HostTimer } from '../clock/clock.ts';
import type { AwaitGuard } from './handoff.ts';
import { foreignCheck } from './foreign.ts';
import { HostWaiting, JspiWait } from './jspi-wait.ts';

export const DEFAULT_POLLABLE_QUOTA = 10_000;

/**
 * A pollable of another host (e.g. preview2-shim's, from a stream's subscribe()):
 * anything with a non-blocking ready(). A waiting poll re-checks such pollables
 * every FOREIGN_CHECK_MS (see waitMixed).
 */
export interface ForeignPollable {
  ready(): boolean;
}

/** How often a waiting poll re-checks its foreign pollables: 1 ms. */
export const FOREIGN_CHECK_MS = 1;

/** The timer of those re-checks (default Node's setTimeout). */
export type ForeignTimer = Pick<HostTimer, 'set' | 'clear'>;
const NODE_TIMEOUT: ForeignTimer = {
  set: (callback, delayMs) => setTimeout(callback, delayMs),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface TimingHostOptions {
  runtime: TimingRuntime;
  mode: ExecutionMode;
  actorId?: string;
  limits?: TimingLimits | null;
  events?: EventSink | null;
  /** Live pollables this actor may hold at once. */
  quota?: number;
  /** Paused while the actor waits, so waiting does not count against max_cpu_ms. */
  meter?: RunMeter | null;
  /** JSPI: a ready poll past this slice waits one macrotask (null: never). */
  slice?: EventLoopSlice | null;
  /** The timer that re-checks foreign pollables in a waiting poll (default Node's setTimeout). */
  foreignTimer?: ForeignTimer;
}

export class TimingHost {
  readonly mode: ExecutionMode;
  readonly actorId: string;
  readonly limits: TimingLimits | null;
  readonly events: EventSink | null;
  readonly owner: number;
  /** The monotonic clock read itself: the adapters hand it to the guest as is. */
  readonly nowNs: () => bigint;
  /** Whether a Promise this actor was handed went unawaited (see handoff.ts); the adapters check it. */
  readonly guard: AwaitGuard = { discarded: false };
  #runtime: TimingRuntime;
  #table: Pollables;
  #meter: RunMeter | null;
  #slice: EventLoopSlice | null;
  #foreignTimer: ForeignTimer;
  /** This actor's entry in the runtime's wait registry, built at its first JSPI wait. */
  #waiting: HostWaiting | null = null;

  constructor(options: TimingHostOptions) {
    this.#runtime = options.runtime;
    this.#table = options.runtime.pollables;
    this.nowNs = options.runtime.time.nowNs;
    this.mode = options.mode;
    this.actorId = options.actorId ?? 'actor';
    this.limits = options.limits ?? null;
    this.events = options.events ?? null;
    this.#meter = options.meter ?? null;
    this.#slice = options.slice ?? null;
    this.#foreignTimer = options.foreignTimer ?? NODE_TIMEOUT;
    this.owner = this.#table.createOwner(options.quota ?? DEFAULT_POLLABLE_QUOTA);
  }

  wallNow(): Datetime {
    return this.#runtime.wallClock.now();
  }

  resolutionNs(): bigint {
    return this.#runtime.resolutionNs();
  }

  /**
   * A timer pollable `requestedNs` after `nowNs`, clamped to the limits. A zero
   * request is raised to the minimum like any other (the seed's rule against
   * tight-loop polling); only with a minimum of 0 is it ready at once.
   */
  subscribe(nowNs: bigint, requestedNs: bigint): { handle: number; deadlineNs: bigint; clamp: ReturnType<typeof clampSleep> | null } {
    const clamp = this.limits !== null ? clampSleep(requestedNs, this.limits) : null;
    const appliedNs = clamp === null ? requestedNs : clamp.appliedNs;
    const sum = nowNs + appliedNs;
    const deadlineNs = sum > U64_MAX ? U64_MAX : sum;
    const handle = this.#table.subscribeTimer(this.owner, deadlineNs, nowNs);
    if (handle < 0) this.#overQuota();
    return { handle, deadlineNs, clamp: clamp?.reason ? clamp : null };
  }

  /** A pollable that another source (a stream, a socket) makes ready with `setReady`. */
  createExternal(): number {
    const handle = this.#table.createExternal(this.owner);
    if (handle < 0) this.#overQuota();
    return handle;
  }

  isLive(handle: number): boolean {
    return this.#table.isLive(handle);
  }

  /** Readiness of a live handle: one bit test, or one clock read for a timer not yet marked. */
  isReady(handle: number): boolean {
    return this.#table.isReady(handle);
  }

  /** For external pollables only (see external.ts). */
  setReady(handle: number, ready: boolean): void {
    this.#table.setReady(handle, ready);
  }

  /** Waits until at least one of `items` is ready; returns the ready positions, ascending. */
  waitAny(items: ArrayLike<PollableRef>): number[] | Promise<number[]> {
    const ready: number[] = [];
    if (this.#table.scan(items, ready) > 0) {
      // A ready call resumes the guest from the microtask queue, so a loop of
      // them would never let a timer run: past the slice, take one macrotask.
      return this.mode === 'jspi' && this.#slice?.expired() === true ? this.#nextTurn(ready) : ready;
    }
    return this.mode === 'jspi' ? this.#waitJspi(items, ready) : this.#waitSync(items, ready);
  }

  /**
   * Waits until one of `own` (positions `ownAt` in the guest's list) or of `foreign`
   * (positions `foreignAt`) is ready; returns the ready positions, ascending.
   * Foreign pollables are checked now and, while the call waits, every
   * FOREIGN_CHECK_MS by one timer per waiting call (however many foreign pollables
   * it lists; see foreign.ts for how a check asks); our own wake the call as in waitAny.
   */
  waitMixed(own: PollableRef[], ownAt: number[], foreign: ForeignPollable[], foreignAt: number[]): number[] | Promise<number[]> {
    const check = foreignCheck(foreign);
    const ready = this.#scanMixed(own, ownAt, check, foreignAt);
    if (ready.length > 0) {
      return this.mode === 'jspi' && this.#slice?.expired() === true ? this.#nextTurn(ready) : ready;
    }
    return this.mode === 'jspi' ? this.#waitMixedJspi(own, ownAt, check, foreignAt) : this.#waitMixedSync(own, ownAt, check, foreignAt);
  }

  #scanMixed(own: PollableRef[], ownAt: number[], check: (out: number[]) => void, foreignAt: number[]): number[] {
    const found: number[] = [];
    if (own.length > 0) this.#table.scan(own, found);
    const ready = found.map((i) => ownAt[i]);
    found.length = 0;
    check(found);
    for (const j of found) ready.push(foreignAt[j]);
    return ready.length > 1 ? ready.sort((a, b) => a - b) : ready;
  }

  #waitMixedJspi(own: PollableRef[], ownAt: number[], check: (out: number[]) => void, foreignAt: number[]): Promise<number[]> {
    const table = this.#table;
    const runtime = this.#runtime;
    const owner = this.owner;
    const timer = this.#foreignTimer;
    const { promise, resolve, reject } = Promise.withResolvers<number[]>();
    // The re-check: a plain 1 ms timer per waiting call that wakes this actor's waiting
    // calls, as a ready pollable would. Not a wheel entry: the wheel waits on the thread
    // for deadlines under a ms away, which a coarse periodic check must not cost.
    let recheck: unknown = null;
    const arm = () => {
      recheck ??= timer.set(() => {
        recheck = null;
        table.wake(owner);
      }, FOREIGN_CHECK_MS);
    };
    const disarm = () => {
      if (recheck !== null) timer.clear(recheck);
      recheck = null;
    };
    runtime.beginWait(owner, {
      actorId: this.actorId,
      describe: () => [...own.map((item) => table.describe(item.handle)), `${foreignAt.length} foreign pollable${foreignAt.length === 1 ? '' : 's'} (checked every ms)`].join(', '),
      fail: (error) => table.fail(owner, error),
    });
    const meter = this.#meter;
    const waiter: Waiter = {
      wake: () => {
        let ready: number[];
        try {
          // A foreign check may throw: the call fails, not the wheel that woke it.
          ready = this.#scanMixed(own, ownAt, check, foreignAt);
        } catch (error) {
          return waiter.fail(error instanceof Error ? error : new Error(String(error)));
        }
        if (ready.length === 0) {
          arm();
          return table.park(owner, waiter);
        }
        disarm();
        runtime.endWait(owner);
        meter?.resume();
        resolve(ready);
      },
      fail: (error) => {
        disarm();
        runtime.endWait(owner);
        meter?.resume();
        reject(error);
      },
    };
    meter?.pause();
    arm();
    table.park(owner, waiter);
    return promise;
  }

  /** Sync mode: foreign sources run elsewhere (a worker), so sleep at most FOREIGN_CHECK_MS at a time. */
  #waitMixedSync(own: PollableRef[], ownAt: number[], check: (out: number[]) => void, foreignAt: number[]): number[] {
    const table = this.#table;
    const { time, sleepSync } = this.#runtime;
    const checkMs = FOREIGN_CHECK_MS;
    let ready: number[];
    do {
      const deadline = own.length > 0 ? table.earliestDeadline(own) : Infinity;
      const waitMs = Math.min(checkMs, deadline === Infinity ? checkMs : time.msUntilTick(deadline));
      if (waitMs > 0) {
        this.#meter?.pause();
        sleepSync(waitMs);
        this.#meter?.resume();
      }
      ready = this.#scanMixed(own, ownAt, check, foreignAt);
    } while (ready.length === 0);
    return ready;
  }

  drop(handle: number): void {
    this.#table.drop(handle);
  }

  /** Drops every pollable of this actor; a call still waiting fails. */
  dispose(): void {
    this.#table.releaseOwner(this.owner);
  }

  /** Parks a waiter on the owner; it re-scans synchronously where a pollable became ready. */
  #waitJspi(items: ArrayLike<PollableRef>, ready: number[]): Promise<number[]> {
    const wait = new JspiWait(this.#runtime, this.owner, items, ready, this.#meter);
    this.#waiting ??= new HostWaiting(this.actorId, this.#table, this.owner);
    this.#waiting.current = wait;
    this.#runtime.beginWait(this.owner, this.#waiting);
    this.#meter?.pause();
    this.#table.park(this.owner, wait);
    return wait.promise;
  }

  async #nextTurn(ready: number[]): Promise<number[]> {
    this.#meter?.pause();
    await this.#slice!.nextTurn();
    this.#meter?.resume();
    return ready;
  }

  #waitSync(items: ArrayLike<PollableRef>, ready: number[]): number[] {
    const table = this.#table;
    const { time, sleepSync } = this.#runtime;
    do {
      const deadline = table.earliestDeadline(items);
      if (deadline === Infinity) {
        throw new WasiTrap('poll would block forever: in sync mode only timers can become ready while the thread waits');
      }
      const waitMs = time.msUntilTick(deadline);
      if (waitMs > 0) {
        this.#meter?.pause();
        sleepSync(waitMs);
        this.#meter?.resume();
      }
    } while (table.scan(items, ready) === 0);
    return ready;
  }

  #overQuota(): never {
    const table = this.#table;
    if (table.live >= table.maxLive) {
      throw new WasiTrap(`pollable limit of the process reached: ${table.maxLive} live pollables in all actors; actor ${quoted(this.actorId)} cannot subscribe another`);
    }
    const quota = table.quota(this.owner);
    throw new WasiTrap(`pollable quota exceeded: actor ${quoted(this.actorId)} already holds ${quota} live pollables (quota ${quota})`);
  }
}
