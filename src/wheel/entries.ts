// Storage for pending timers: parallel typed arrays indexed by entry number, on
// a generational slab (base/slab.ts: free list, generations, growth by doubling).
// 24 bytes per entry: deadline f64 + next i32 + prev i32 + generation u32 + payload u32.
//
// The link arrays are shared by the two structures an entry can live in:
//   in a slot list (slots.ts): next/prev entry, or -(listId + 1) at an end;
//   in the overflow heap:      nextLinks = IN_OVERFLOW, prevLinks = heap position;
//   free:                      nextLinks = next free entry or -1 (the slab's:
//                              allocate and release are given nextLinks).
// A handle is generation * 2^24 + index; it stops matching as soon as the entry
// is released.

import { growArray, Slab, SLAB_LIMIT } from '../base/slab.ts';

export { ENTRY_LIMIT, IN_OVERFLOW, EntryTable };

/** Most live entries one table can hold; handles stay below 2^53. */
const ENTRY_LIMIT = SLAB_LIMIT;
const IN_OVERFLOW = -(2 ** 30);

class EntryTable extends Slab {
  deadlineTicks: Float64Array;
  nextLinks: Int32Array;
  prevLinks: Int32Array;
  payloads: Uint32Array;

  constructor(capacity: number) {
    super({ capacity, fullMessage: `TimerWheel: more than ${ENTRY_LIMIT} pending timers` });
    this.deadlineTicks = new Float64Array(capacity);
    this.nextLinks = new Int32Array(capacity);
    this.prevLinks = new Int32Array(capacity);
    this.payloads = new Uint32Array(capacity);
  }

  protected override grown(capacity: number): void {
    this.deadlineTicks = growArray(this.deadlineTicks, capacity);
    this.nextLinks = growArray(this.nextLinks, capacity);
    this.prevLinks = growArray(this.prevLinks, capacity);
    this.payloads = growArray(this.payloads, capacity);
  }
}
