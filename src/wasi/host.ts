/*
 * TimingHost: one actor instance's view of time. It owns the actor's pollables in
 * the process-wide PollableTable, applies its sleep limits, records its events,
 * and waits in the actor's execution mode. The WASI interface objects in
 * monotonic-clock.ts, wall-clock-imports.ts and poll.ts are thin shells over it.
 *
 * Waiting (block / poll with nothing ready):
 *   jspi: register the actor's single waiter, await one promise per call, re-scan.
 *         Timers are already in the wheel; external sources wake via setReady.
 *   sync: Atomics.wait until the earliest listed deadline, re-scan. External
 *         sources cannot become ready while the thread sleeps, so a list with no
 *         timer and nothing ready traps instead of hanging.
 */
import type { EventSink } from '../events/types.ts';
import type { HandleRef as PollableRef, PollableTable } from '../pollables/table.ts';
import { clampSleep, type TimingLimits } from '../handler/clamp.ts';
import { currentTick, deadlineTick } from '../wheel/ticks.ts';
import type { ExecutionMode } from './mode.ts';
import { WasiTrap } from './trap.ts';
import { sharedWallClock, type WallClock } from './wall-clock.ts';

export const U64_MAX = 2n ** 64n - 1n;
export const DEFAULT_POLLABLE_QUOTA = 10_000;

export interface TimingHostOptions {
  table: PollableTable;
  mode: ExecutionMode;
  actorId?: string;
  limits?: TimingLimits | null;
  events?: EventSink | null;
  /** Live pollables this actor may hold at once. */
  quota?: number;
  wallClock?: WallClock;
  /** Sync mode only: how the thread sleeps (tests inject one that moves a fake clock). */
  sleepSync?: (ms: number) => void;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread for `ms` without spinning. */
export function atomicsSleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}


export class TimingHost {
  readonly table: PollableTable;
  readonly mode: ExecutionMode;
  readonly actorId: string;
  readonly limits: TimingLimits | null;
  readonly events: EventSink | null;
  readonly owner: number;
  readonly wallClock: WallClock;
  #sleepSync: (ms: number) => void;

  constructor(options: TimingHostOptions) {
    this.table = options.table;
    this.mode = options.mode;
    this.actorId = options.actorId ?? 'actor';
    this.limits = options.limits ?? null;
    this.events = options.events ?? null;
    this.wallClock = options.wallClock ?? sharedWallClock();
    this.#sleepSync = options.sleepSync ?? atomicsSleep;
    this.owner = this.table.owners.create(options.quota ?? DEFAULT_POLLABLE_QUOTA);
  }

  nowNs(): bigint {
    return this.table.scheduler.clock.nowNs();
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
    const origin = this.table.scheduler.originNs;
    const nowTick = currentTick(nowNs, origin);
    const tick = appliedNs === 0n ? nowTick : deadlineTick(deadlineNs, origin);
    const handle = this.table.subscribeTimer(this.owner, tick, nowTick);
    if (handle < 0) this.#overQuota();
    return { handle, deadlineNs, clamp: clamp?.reason ? clamp : null };
  }

  /** A pollable that another source (a stream, a socket) makes ready with `setReady`. */
  createExternal(): number {
    const handle = this.table.createExternal(this.owner);
    if (handle < 0) this.#overQuota();
    return handle;
  }

  /** Waits until at least one of `items` is ready; returns the ready positions, ascending. */
  waitAny(items: ArrayLike<PollableRef>): number[] | Promise<number[]> {
    const ready: number[] = [];
    if (this.table.scan(items, ready) > 0) return ready;
    return this.mode === 'jspi' ? this.#waitJspi(items, ready) : this.#waitSync(items, ready);
  }

  drop(handle: number): void {
    this.table.drop(handle);
  }

  /** Drops every pollable of this actor; a call still waiting fails. */
  dispose(): void {
    this.table.releaseOwner(this.owner);
  }

  async #waitJspi(items: ArrayLike<PollableRef>, ready: number[]): Promise<number[]> {
    const { table } = this;
    table.scheduler.retain();
    try {
      do await table.owners.wait(this.owner);
      while (table.scan(items, ready) === 0);
      return ready;
    } finally {
      table.scheduler.release();
    }
  }

  #waitSync(items: ArrayLike<PollableRef>, ready: number[]): number[] {
    const { table } = this;
    do {
      const deadline = table.earliestDeadline(items);
      if (deadline === Infinity) {
        throw new WasiTrap('poll would block forever: in sync mode only timers can become ready while the thread waits');
      }
      // From the exact now: a floored tick would sleep up to 1 ms past the deadline.
      const waitMs = deadline - Number(this.nowNs() - table.scheduler.originNs) / 1e6;
      if (waitMs > 0) this.#sleepSync(waitMs);
    } while (table.scan(items, ready) === 0);
    return ready;
  }

  #overQuota(): never {
    const quota = this.table.owners.quota(this.owner);
    throw new WasiTrap(`pollable quota exceeded: actor "${this.actorId}" already holds ${quota} live pollables (quota ${quota})`);
  }
}
