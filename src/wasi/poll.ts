// wasi:io/poll@0.2.x: the Pollable resource and poll(), as thin shells over TimingHost.
import { slotOf } from '../pollables/table.ts';
import type { TimingHost } from './host.ts';
import type { JcoPollable } from './jco-types.ts';
import { WasiTrap } from './trap.ts';

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
    const ready = this.host.isReady(this.handle);
    this.host.events?.record({ type: 'PollableReady', pollable: slotOf(this.handle), ready });
    return ready;
  }

  /** Returns at once when ready; otherwise waits, as poll([this]) does. */
  block(): void | Promise<void> {
    const { host } = this;
    const startNs = host.events === null ? 0n : host.nowNs();
    const waited = host.waitAny([this]);
    if (!(waited instanceof Promise)) return this.#recordBlock(startNs);
    return waited.then(() => this.#recordBlock(startNs));
  }

  #recordBlock(startNs: bigint): void {
    const { host } = this;
    host.events?.record({ type: 'PollableBlock', pollable: slotOf(this.handle), waited: host.nowNs() - startNs });
  }

  /** jco calls this when the guest drops its handle: the wheel entry goes at once. */
  [Symbol.dispose](): void {
    this.host.drop(this.handle);
    this.host.events?.record({ type: 'PollableDrop', pollable: slotOf(this.handle) });
  }
}

/** poll(list): the positions of the ready entries, ascending; waits while none is ready. */
export function poll(host: TimingHost, list: ArrayLike<JcoPollable>): Uint32Array | Promise<Uint32Array> {
  const count = list.length;
  if (count === 0) throw new WasiTrap('poll: attempt to poll on an empty list');
  if (count >= U32_LIMIT) throw new WasiTrap(`poll: ${count} entries cannot be indexed by a u32`);
  if (!allPollables(list)) throw new WasiTrap('poll: the list holds an object that is not a pollable of this host');
  const startNs = host.events === null ? 0n : host.nowNs();
  // The slots are read now: a pollable may be dropped before a suspended poll returns.
  const slots = host.events === null ? EMPTY : Array.from(list, (p) => slotOf(p.handle));
  const ready = host.waitAny(list);
  if (!(ready instanceof Promise)) return finishPoll(host, slots, ready, startNs);
  return ready.then((indices) => finishPoll(host, slots, indices, startNs));
}

const EMPTY: number[] = [];

/** jco hands back the objects this host created; anything else is refused, not trusted. */
function allPollables(list: ArrayLike<unknown>): list is ArrayLike<Pollable> {
  for (let i = 0; i < list.length; i++) if (!(list[i] instanceof Pollable)) return false;
  return true;
}

function finishPoll(host: TimingHost, pollables: number[], indices: number[], startNs: bigint): Uint32Array {
  host.events?.record({ type: 'PollReady', pollables, ready_count: indices.length, indices, waited: host.nowNs() - startNs });
  return Uint32Array.from(indices);
}
