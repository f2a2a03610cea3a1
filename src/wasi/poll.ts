// wasi:io/poll@0.2.x: the Pollable resource and poll(), as thin shells over TimingHost.
/// <reference lib="esnext.disposable" preserve="true" />
import { slotOf } from '../pollables/table.ts';
import type { ForeignPollable, TimingHost } from './host.ts';
import type { JcoPollable } from './jco-types.ts';
import { WasiTrap } from '../base/trap.ts';
import { checkPollList } from './limits.ts';
import { checkAwaited, handOff } from './handoff.ts';

const U32_LIMIT = 2 ** 32;

/** The ordinary `instanceof` (our prototype chain), which Pollable's own hasInstance widens. */
const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

/** The slot recorded in PollReady for a foreign pollable (it has none in our table). */
export const FOREIGN_SLOT = 0xffff_ffff;

/**
 * jco's glue keys the resources it captures by `obj[Symbol.for('cabiRep')]`, or by a
 * counter of its own from 1 when there is none. preview2-shim's pollables carry
 * their worker's ids (1, 2, …) there, so without a rep of ours our first pollable
 * and preview2-shim's first one would share a key and one would replace the other.
 * Ours are REP_BASE + slot: unique among live pollables, clear of preview2-shim's
 * counter, and below jco's 2^30 flag bit.
 */
export const REP_BASE = 2 ** 29;
const CABI_REP = Symbol.for('cabiRep');

/**
 * The resource object jco hands to the guest. One class serves every actor;
 * each object carries its table handle and its actor's host.
 */
export class Pollable {
  readonly handle: number;
  readonly host: TimingHost;

  constructor(host: TimingHost, handle: number) {
    this.host = host;
    this.handle = handle;
  }

  /** The key jco's glue captures this pollable under (see REP_BASE). */
  get [CABI_REP](): number {
    return REP_BASE + slotOf(this.handle);
  }

  /**
   * jco's glue accepts a resource with `ret instanceof Pollable`, Pollable being
   * ours once wasi:io/poll is ours. A stream's subscribe() from another host
   * (preview2-shim) returns ITS pollable: accept any object with ready() and
   * block() methods, so the guest can poll it together with our timers.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return ordinaryInstanceOf.call(Pollable, value) || isForeignPollable(value);
  }

  /** Never blocks: one bit test, or one clock read for a timer not yet marked. */
  ready(): boolean {
    checkLive(this);
    checkAwaited(this.host.guard);
    const ready = this.host.isReady(this.handle);
    this.host.events?.record({ type: 'PollableReady', pollable: slotOf(this.handle), ready });
    return ready;
  }

  /** Returns at once when ready; otherwise waits, as poll([this]) does. */
  block(): void | Promise<unknown> {
    const { host } = checkLive(this);
    checkAwaited(host.guard);
    // Not recording: the wait's own promise, with no extra hop before the guest resumes.
    if (host.events === null) {
      const waited = host.waitAny([this]);
      return waited instanceof Promise ? handOff(waited, host.guard) : undefined;
    }
    const startNs = host.nowNs();
    const waited = host.waitAny([this]);
    if (!(waited instanceof Promise)) return this.#recordBlock(startNs);
    return handOff(waited.then(() => this.#recordBlock(startNs)), host.guard);
  }

  #recordBlock(startNs: bigint): void {
    const { host } = this;
    host.events?.record({ type: 'PollableBlock', pollable: slotOf(this.handle), waited: host.nowNs() - startNs });
  }

  /** jco calls this when the guest drops its handle: the wheel entry goes at once. */
  [Symbol.dispose](): void {
    checkAwaited(this.host.guard);
    this.host.drop(this.handle);
    this.host.events?.record({ type: 'PollableDrop', pollable: slotOf(this.handle) });
  }
}

/** Ours: a Pollable of this package (live or not), by prototype. */
export function isOwnPollable(value: unknown): value is Pollable {
  return ordinaryInstanceOf.call(Pollable, value);
}

/** Another host's pollable: not ours, with ready() and block() methods. */
export function isForeignPollable(value: unknown): value is ForeignPollable & { block(): unknown } {
  if (typeof value !== 'object' || value === null || ordinaryInstanceOf.call(Pollable, value)) return false;
  const { ready, block } = value as { ready?: unknown; block?: unknown };
  return typeof ready === 'function' && typeof block === 'function';
}

/**
 * poll(list): the positions of the ready entries, ascending; waits while none is ready.
 * The list may mix our pollables with foreign ones (see Pollable's hasInstance): those
 * are asked ready() (never block()) now and every ms while the call waits.
 */
export function poll(host: TimingHost, list: ArrayLike<JcoPollable>): Uint32Array | Promise<Uint32Array> {
  const count = list.length;
  if (count === 0) throw new WasiTrap('poll: attempt to poll on an empty list');
  if (count >= U32_LIMIT) throw new WasiTrap(`poll: ${count} entries cannot be indexed by a u32`);
  checkPollList(count);
  let foreign = 0;
  for (let i = 0; i < count; i++) if (checkEntry(list[i], host)) foreign++;
  checkAwaited(host.guard);
  if (foreign > 0) return pollMixed(host, list);
  const startNs = host.events === null ? 0n : host.nowNs();
  // The slots are read now: a pollable may be dropped before a suspended poll returns.
  const slots = host.events === null ? EMPTY : Array.from(list as ArrayLike<Pollable>, (p) => slotOf(p.handle));
  const ready = host.waitAny(list as ArrayLike<Pollable>);
  if (!(ready instanceof Promise)) return finishPoll(host, slots, ready, startNs);
  return handOff(ready.then((indices) => finishPoll(host, slots, indices, startNs)), host.guard);
}

const EMPTY: number[] = [];

function pollMixed(host: TimingHost, list: ArrayLike<unknown>): Uint32Array | Promise<Uint32Array> {
  const own: Pollable[] = [], ownAt: number[] = [], foreign: ForeignPollable[] = [], foreignAt: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (isOwnPollable(item)) {
      own.push(item);
      ownAt.push(i);
    } else {
      foreign.push(item as ForeignPollable);
      foreignAt.push(i);
    }
  }
  const startNs = host.events === null ? 0n : host.nowNs();
  const slots = host.events === null ? EMPTY : Array.from(list, (p) => isOwnPollable(p) ? slotOf(p.handle) : FOREIGN_SLOT);
  const ready = host.waitMixed(own, ownAt, foreign, foreignAt);
  if (!(ready instanceof Promise)) return finishPoll(host, slots, ready, startNs);
  return handOff(ready.then((indices) => finishPoll(host, slots, indices, startNs)), host.guard);
}

/*
 * jco 1.11.2 resolves a guest's handle through its own resource table; for a
 * handle the guest already dropped (or never had) it finds no object and makes
 * a bare one with Object.create(Pollable.prototype): no host, no handle. Those,
 * and handles the host dropped itself (actor stopped), trap the calling actor;
 * they must never reach the table, where a freed slot may be another actor's.
 */
function checkLive(pollable: Pollable): Pollable {
  const { host, handle } = pollable as Partial<Pollable>;
  if (host === undefined || handle === undefined || !host.isLive(handle)) throw new WasiTrap('pollable used after drop');
  return pollable;
}

/**
 * A list entry must be a live pollable that `host` (this actor) created, or a
 * foreign pollable (returns true for those).
 */
function checkEntry(item: unknown, host: TimingHost): boolean {
  if (!isOwnPollable(item)) {
    if (isForeignPollable(item)) return true;
    throw new WasiTrap('poll: the list holds an object that is not a pollable (neither ours nor one with ready() and block())');
  }
  const owner = (item as Partial<Pollable>).host;
  if (owner !== undefined && owner !== host) throw new WasiTrap('poll: the list holds a pollable that is not a pollable of this actor');
  checkLive(item);
  return false;
}

function finishPoll(host: TimingHost, pollables: number[], indices: number[], startNs: bigint): Uint32Array {
  host.events?.record({ type: 'PollReady', pollables, ready_count: indices.length, indices, waited: host.nowNs() - startNs });
  return Uint32Array.from(indices);
}
