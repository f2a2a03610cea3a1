// Over 200 lines: the arrays, bitsets and owner lists change together in allocate/free (owners.ts and base/slab.ts are apart).
/*
 * PollableTable: every pollable of every actor, in one set of typed arrays.
 *
 *   handle = generation * 2^24 + index         (base/slab.ts: a stale handle never reaches a reused entry)
 *   ready  = Uint32Array bitset, one bit per index: ready() is one bit test
 *   timer  = wheel handle per index (-1: none); the wheel payload is the index
 *   owner  = the actor; each owner's entries form an intrusive doubly linked list,
 *            so stopping an actor drops all of its pollables in O(its count)
 *
 * A timer is marked ready when the scheduler's wheel fires it, or earlier, when a
 * reader sees a fresh clock tick at or past its deadline (the event loop may not
 * have run; such a reading also expires every other entry due by then). Marking
 * an entry ready runs its owner's waiting calls' waiters, if any (see owners.ts);
 * a wake that is not for a call's listed pollables only costs that call a re-scan.
 *
 * No allocation per subscribe or drop in steady state; the arrays double when full.
 */
import type { HostTimer } from '../clock/clock.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import type { TimeSource } from '../clock/time-source.ts';
import { ENTRY_LIMIT } from '../wheel/entries.ts';
import { growArray, indexOfHandle, liveIndexIn, Slab } from '../base/slab.ts';
import { Owners, type Waiter } from './owners.ts';

const NONE = -1;
/**
 * Live pollables the whole process may hold: 2^22, a quarter of the timer
 * wheel's 2^24 entries, so no mix of actors within their quotas can reach the
 * wheel's limit (2 500 actors × 10 000 pollables used to), and ~200 MB of
 * table and wheel at ~49 B per pollable. Past it, subscribe refuses (the host
 * traps the asking actor).
 */
export const MAX_LIVE_POLLABLES = 2 ** 22;

/**
 * The entry a handle names: a u32 that is unique among live pollables, which the
 * event chain records (a handle itself outgrows u32 once an entry is reused 128 times).
 */
export function slotOf(handle: number): number {
  return indexOfHandle(handle);
}

/** A handle that names no live pollable (dropped, or never issued by this table). */
export class StaleHandleError extends RangeError {
  override name = 'StaleHandleError';
  constructor(handle: number) {
    super(`pollable handle ${String(handle)} is not live (dropped, or never issued)`);
  }
}

/** Anything that carries a table handle (the WASI Pollable objects do). */
export interface HandleRef {
  readonly handle: number;
}

export interface PollableTableOptions {
  time: TimeSource;
  /** The native timer (default: Node's setTimeout). */
  timer?: HostTimer;
  /** Initial entries; the arrays double when full. */
  capacity?: number;
  /** Live entries at most, over all owners (default MAX_LIVE_POLLABLES). */
  maxLive?: number;
}

export class PollableTable {
  /** Built here, because the table owns the payload space its expiries name. */
  #scheduler: Scheduler;
  #time: TimeSource;
  #owners = new Owners();
  readonly maxLive: number;
  #slab: Slab;
  #live = 0;
  #timer: Float64Array; // wheel handle, or NONE
  #owner: Int32Array;
  #next: Int32Array; // owner list, or free list for free entries
  #prev: Int32Array;
  #ready: Uint32Array;
  #external: Uint32Array;

  constructor(options: PollableTableOptions) {
    const maxLive = options.maxLive ?? MAX_LIVE_POLLABLES;
    // Every live timer may sit in the wheel at once: past its entry limit it would throw.
    if (!Number.isSafeInteger(maxLive) || maxLive < 1 || maxLive > ENTRY_LIMIT) {
      throw new RangeError(`PollableTable: maxLive must be an integer in 1..${ENTRY_LIMIT}, got ${String(maxLive)}`);
    }
    this.maxLive = maxLive;
    this.#time = options.time;
    const capacity = Math.max(32, options.capacity ?? 1024);
    this.#slab = new Slab({ capacity, fullMessage: `pollable table is full (${ENTRY_LIMIT} entries)`, onGrow: this.#grow });
    this.#timer = new Float64Array(capacity);
    this.#owner = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
    this.#prev = new Int32Array(capacity);
    this.#ready = new Uint32Array(capacity >>> 5);
    this.#external = new Uint32Array(capacity >>> 5);
    this.#scheduler = new Scheduler({ time: this.#time, timer: options.timer, capacity, onExpire: this.#onExpire });
  }

  get live(): number { return this.#live; }

  /** Timers waiting in the wheel (a ready or dropped timer has left it). */
  get pendingTimers(): number { return this.#scheduler.pending; }

  /** A new owner (one per actor instance) that may hold at most `quota` live pollables at once. */
  createOwner(quota: number): number { return this.#owners.create(quota); }

  /** The owner's live pollables. */
  liveOf(owner: number): number { return this.#owners.live(owner); }

  quota(owner: number): number { return this.#owners.quota(owner); }

  /** Registers a waiting call: its wake() runs the next time any pollable of `owner` becomes ready. */
  park(owner: number, waiter: Waiter): void { this.#owners.park(owner, waiter); }

  /** Runs the owner's parked waiters now (a foreign pollable was found ready by its re-check). */
  wake(owner: number): void { this.#owners.wake(owner); }

  /** Fails the owner's waiting calls with `error` (virtual time: nothing can wake them). */
  fail(owner: number, error: Error): void { this.#owners.fail(owner, error); }

  /** Someone waits: the native timer keeps the process alive until as many releaseTimer() calls. */
  retainTimer(): void { this.#scheduler.retain(); }

  releaseTimer(): void { this.#scheduler.release(); }

  /**
   * A timer pollable due at `deadlineNs`, read against `nowNs` (the instant the
   * guest's request was measured from); ready at once when already due. NONE when
   * over quota or over maxLive.
   */
  subscribeTimer(owner: number, deadlineNs: bigint, nowNs: bigint): number {
    const index = this.#allocate(owner);
    if (index === NONE) return NONE;
    const time = this.#time;
    const due = deadlineNs <= nowNs;
    const deadlineTick = due ? 0 : time.deadlineToTick(deadlineNs);
    const nowTick = time.tickOf(nowNs);
    this.#scheduler.expireDue(nowTick);
    const handle = due || deadlineTick <= nowTick ? NONE : this.#scheduler.schedule(deadlineTick, index);
    this.#timer[index] = handle;
    if (handle < 0) this.#ready[index >>> 5] |= 1 << (index & 31);
    return this.#slab.handleOf(index);
  }

  /** A pollable whose readiness another source sets with `setReady`. NONE when over quota. */
  createExternal(owner: number): number {
    const index = this.#allocate(owner);
    if (index === NONE) return NONE;
    this.#timer[index] = NONE;
    this.#external[index >>> 5] |= 1 << (index & 31);
    return this.#slab.handleOf(index);
  }

  isLive(handle: number): boolean {
    return this.#slab.indexOf(handle) >= 0;
  }

  /** Readiness of a live handle; `nowTick` is read only when a timer is not marked yet. */
  isReady(handle: number): boolean {
    const index = this.#liveIndex(handle);
    if ((this.#ready[index >>> 5] >>> (index & 31)) & 1) return true;
    if (this.#timer[index] < 0) return false;
    const nowTick = this.#time.nowTick();
    this.#scheduler.expireDue(nowTick);
    // Read after expireDue: an entry it expired is ready (its timer is gone).
    const timer = this.#timer[index];
    return timer < 0 || this.#expireEarly(index, timer, nowTick);
  }

  /** Appends the positions of ready entries to `out`; one clock read at most. */
  scan(items: ArrayLike<HandleRef>, out: number[]): number {
    let nowTick = -1;
    for (let i = 0; i < items.length; i++) {
      const index = this.#liveIndex(items[i].handle);
      if ((this.#ready[index >>> 5] >>> (index & 31)) & 1) { out.push(i); continue; }
      if (this.#timer[index] < 0) continue;
      if (nowTick < 0) {
        nowTick = this.#time.nowTick();
        this.#scheduler.expireDue(nowTick);
      }
      // Read after expireDue: an entry it expired is ready (its timer is gone).
      const timer = this.#timer[index];
      if (timer < 0 || this.#expireEarly(index, timer, nowTick)) out.push(i);
    }
    return out.length;
  }

  /** The earliest pending deadline tick among `handles`, or Infinity (for sync-mode waits). */
  earliestDeadline(items: ArrayLike<HandleRef>): number {
    let best = Infinity;
    for (let i = 0; i < items.length; i++) {
      const timer = this.#timer[this.#liveIndex(items[i].handle)];
      if (timer >= 0) best = Math.min(best, this.#scheduler.deadlineOf(timer));
    }
    return best;
  }

  /** What a handle is, for messages: `timer pollable 3 (due at tick 120)`, `external pollable 4`. */
  describe(handle: number): string {
    const index = indexOfHandle(handle);
    if (!this.isLive(handle)) return `dropped pollable ${index}`;
    if ((this.#external[index >>> 5] >>> (index & 31)) & 1) return `external pollable ${index}`;
    const timer = this.#timer[index];
    return timer >= 0 ? `timer pollable ${index} (due at tick ${this.#scheduler.deadlineOf(timer)})` : `timer pollable ${index} (ready)`;
  }

  setReady(handle: number, ready: boolean): void {
    const index = indexOfHandle(handle);
    if (!this.isLive(handle) || !((this.#external[index >>> 5] >>> (index & 31)) & 1)) {
      throw new RangeError(`setReady: handle ${handle} is not a live external pollable`);
    }
    if (ready) this.#markReady(index);
    else this.#ready[index >>> 5] &= ~(1 << (index & 31));
  }

  /** Drops a pollable: its wheel entry is cancelled at once and the entry freed. */
  drop(handle: number): void {
    if (!this.isLive(handle)) return;
    this.#free(indexOfHandle(handle));
    // A guest is running (woken guests drop their pollables as they resume, in one long
    // microtask drain): expire what fell due meanwhile rather than wait for the loop.
    if (this.#scheduler.pending > 0) this.#scheduler.expireDue(this.#time.nowTick());
  }

  /** Drops every pollable of `owner` and forgets the owner. */
  releaseOwner(owner: number): void {
    for (let index = this.#owners.head(owner); index !== NONE;) {
      const next = this.#next[index];
      this.#free(index);
      index = next;
    }
    this.#owners.release(owner);
  }

  /**
   * The entry of a live handle. A dropped or never-issued handle throws instead of
   * naming a slot: after a drop the slot may belong to another actor.
   */
  #liveIndex(handle: number): number {
    const index = liveIndexIn(this.#slab.generations, handle);
    if (index < 0) throw new StaleHandleError(handle);
    return index;
  }

  #expireEarly(index: number, timer: number, nowTick: number): boolean {
    if (this.#scheduler.deadlineOf(timer) > nowTick) return false;
    this.#scheduler.cancel(timer);
    this.#timer[index] = NONE;
    this.#markReady(index);
    return true;
  }

  #onExpire = (index: number): void => {
    this.#timer[index] = NONE;
    this.#markReady(index);
  };

  #markReady(index: number): void {
    this.#ready[index >>> 5] |= 1 << (index & 31);
    this.#owners.wake(this.#owner[index]);
  }

  #allocate(owner: number): number {
    if (this.#live >= this.maxLive || !this.#owners.admit(owner)) return NONE;
    const index = this.#slab.allocate(this.#next);
    this.#owner[index] = owner;
    const head = this.#owners.head(owner);
    this.#prev[index] = NONE;
    this.#next[index] = head;
    if (head !== NONE) this.#prev[head] = index;
    this.#owners.setHead(owner, index);
    this.#live++;
    return index;
  }

  #free(index: number): void {
    const timer = this.#timer[index];
    if (timer >= 0) this.#scheduler.cancel(timer);
    const owner = this.#owner[index];
    const prev = this.#prev[index], next = this.#next[index];
    if (prev !== NONE) this.#next[prev] = next;
    else this.#owners.setHead(owner, next);
    if (next !== NONE) this.#prev[next] = prev;
    this.#owners.leave(owner);
    const bit = ~(1 << (index & 31));
    this.#ready[index >>> 5] &= bit;
    this.#external[index >>> 5] &= bit;
    this.#timer[index] = NONE;
    this.#owner[index] = NONE;
    this.#slab.release(index, this.#next);
    this.#live--;
  }

  #grow = (capacity: number): void => {
    this.#timer = growArray(this.#timer, capacity);
    this.#owner = growArray(this.#owner, capacity);
    this.#next = growArray(this.#next, capacity);
    this.#prev = growArray(this.#prev, capacity);
    this.#ready = growArray(this.#ready, capacity >>> 5);
    this.#external = growArray(this.#external, capacity >>> 5);
  };
}
