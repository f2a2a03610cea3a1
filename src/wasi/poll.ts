// wasi:io/poll@0.2.x: the Pollable resource and poll(), as thin shells over TimingHost.
import { slotOf } from '../pollables/table.ts';
import type { TimingHost } from './host.ts';
import type { JcoPollable } from './jco-types.ts';
import { WasiTrap } from '../base/trap.ts';
import { checkAwaited, handOff } from './handoff.ts';

const U32_LIMIT = 2 ** 32;

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

/** poll(list): the positions of the ready entries, ascending; waits while none is ready. */
export function poll(host: TimingHost, list: ArrayLike<JcoPollable>): Uint32Array | Promise<Uint32Array> {
  const count = list.length;
  if (count === 0) throw new WasiTrap('poll: attempt to poll on an empty list');
  if (count >= U32_LIMIT) throw new WasiTrap(`poll: ${count} entries cannot be indexed by a u32`);
  for (let i = 0; i < count; i++) checkOwn(list[i], host);
  checkAwaited(host.guard);
  const startNs = host.events === null ? 0n : host.nowNs();
  // The slots are read now: a pollable may be dropped before a suspended poll returns.
  const slots = host.events === null ? EMPTY : Array.from(list as ArrayLike<Pollable>, (p) => slotOf(p.handle));
  const ready = host.waitAny(list as ArrayLike<Pollable>);
  if (!(ready instanceof Promise)) return finishPoll(host, slots, ready, startNs);
  return handOff(ready.then((indices) => finishPoll(host, slots, indices, startNs)), host.guard);
}

const EMPTY: number[] = [];

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

/** A list entry must be a live pollable that `host` (this actor) created. */
function checkOwn(item: unknown, host: TimingHost): asserts item is Pollable {
  if (!(item instanceof Pollable)) throw new WasiTrap('poll: the list holds an object that is not a pollable of this actor');
  const owner = (item as Partial<Pollable>).host;
  if (owner !== undefined && owner !== host) throw new WasiTrap('poll: the list holds a pollable that is not a pollable of this actor');
  checkLive(item);
}

function finishPoll(host: TimingHost, pollables: number[], indices: number[], startNs: bigint): Uint32Array {
  host.events?.record({ type: 'PollReady', pollables, ready_count: indices.length, indices, waited: host.nowNs() - startNs });
  return Uint32Array.from(indices);
}
