// Storage for pending timers: parallel typed arrays indexed by entry number, on
// a generational slab (base/slab.ts: free list, generations, growth by doubling).
// 24 bytes per entry: deadline f64 + next i32 + prev i32 + generation u32 + payload u32.
//
// The link arrays are shared by the two structures an entry can live in:
//   in a slot list (slots.ts): next/prev entry, or -(listId + 1) at an end;
//   in the overflow heap:      nextLinks = IN_OVERFLOW, prevLinks = heap position;
//   free:                      nextLinks = next free entry or -1 (the slab's).
// A handle is generation * 2^24 + index; it stops matching as soon as the entry
// is released.

import { growArray, Slab } from '../base/slab.ts';

export { ENTRY_LIMIT, IN_OVERFLOW, EntryTable };

const INDEX_BITS = 24;
/** Most live entries one table can hold; handles stay below 2^53. */
const ENTRY_LIMIT = 2 ** INDEX_BITS;
const IN_OVERFLOW = -(2 ** 30);

class EntryTable {
  deadlineTicks: Float64Array;
  nextLinks: Int32Array;
  prevLinks: Int32Array;
  payloads: Uint32Array;
  readonly #slab: Slab;

  constructor(capacity: number) {
    this.deadlineTicks = new Float64Array(capacity);
    this.nextLinks = new Int32Array(capacity);
    this.prevLinks = new Int32Array(capacity);
    this.payloads = new Uint32Array(capacity);
    this.#slab = new Slab({
      capacity,
      indexBits: INDEX_BITS,
      fullMessage: `TimerWheel: more than ${ENTRY_LIMIT} pending timers`,
      onGrow: (grown) => {
        this.deadlineTicks = growArray(this.deadlineTicks, grown);
        this.nextLinks = growArray(this.nextLinks, grown);
        this.prevLinks = growArray(this.prevLinks, grown);
        this.payloads = growArray(this.payloads, grown);
      },
    });
  }

  /** Entries the arrays hold now (they double when full). */
  get capacity(): number {
    return this.#slab.capacity;
  }

  /** Takes a free entry (growing the arrays when none is left) and marks it live. */
  allocate(): number {
    return this.#slab.allocate(this.nextLinks);
  }

  /** Marks a live entry free; every handle to it goes stale. */
  release(index: number): void {
    this.#slab.release(index, this.nextLinks);
  }

  handleOf(index: number): number {
    return this.#slab.handleOf(index);
  }

  /** The live entry `handle` names, or -1 for stale, foreign or malformed handles. */
  indexOf(handle: number): number {
    return this.#slab.indexOf(handle);
  }
}
