// Storage for pending timers: parallel typed arrays indexed by entry number,
// a free list threaded through `nextLinks`, and growth by doubling. 24 bytes
// per entry: deadline f64 + next i32 + prev i32 + generation u32 + payload u32.
//
// The link arrays are shared by the two structures an entry can live in:
//   in a slot list (slots.ts): next/prev entry, or -(listId + 1) at an end;
//   in the overflow heap:      nextLinks = IN_OVERFLOW, prevLinks = heap position;
//   free:                      nextLinks = next free entry or -1.
// A generation is odd while its entry is live and even while it is free, so a
// handle (generation * 2^24 + index) stops matching as soon as the entry is
// released, and a never-used entry (generation 0) never matches at all.

export { ENTRY_LIMIT, IN_OVERFLOW, EntryTable };

const INDEX_BITS = 24;
const INDEX_SPAN = 2 ** INDEX_BITS;
/** Most live entries one table can hold; handles stay below 2^53. */
const ENTRY_LIMIT = INDEX_SPAN;
/** Generations wrap at 2^29 so generation * 2^24 + index < 2^53. */
const GENERATION_MASK = 2 ** 29 - 1;
const IN_OVERFLOW = -(2 ** 30);

class EntryTable {
  deadlineTicks: Float64Array;
  nextLinks: Int32Array;
  prevLinks: Int32Array;
  generations: Uint32Array;
  payloads: Uint32Array;
  readonly #limit: number;
  #freeHead = -1;
  /** Entries at and above this index have never been handed out. */
  #unusedFrom = 0;

  /** `limit` caps growth; it is below ENTRY_LIMIT only in tests. */
  constructor(capacity: number, limit = ENTRY_LIMIT) {
    this.#limit = limit;
    this.deadlineTicks = new Float64Array(capacity);
    this.nextLinks = new Int32Array(capacity);
    this.prevLinks = new Int32Array(capacity);
    this.generations = new Uint32Array(capacity);
    this.payloads = new Uint32Array(capacity);
  }

  /** Takes a free entry (growing the arrays when none is left) and marks it live. */
  allocate(): number {
    let index = this.#freeHead;
    if (index >= 0) {
      this.#freeHead = this.nextLinks[index];
    } else {
      if (this.#unusedFrom === this.generations.length) this.#grow();
      index = this.#unusedFrom++;
    }
    this.generations[index] = (this.generations[index] + 1) & GENERATION_MASK;
    return index;
  }

  /** Marks a live entry free; every handle to it goes stale. */
  release(index: number): void {
    this.generations[index] = (this.generations[index] + 1) & GENERATION_MASK;
    this.nextLinks[index] = this.#freeHead;
    this.#freeHead = index;
  }

  handleOf(index: number): number {
    return this.generations[index] * INDEX_SPAN + index;
  }

  /** The live entry `handle` names, or -1 for stale, foreign or malformed handles. */
  indexOf(handle: number): number {
    const generation = Math.floor(handle / INDEX_SPAN);
    const index = handle - generation * INDEX_SPAN;
    // Out-of-range and fractional indices read `undefined` and fail the match.
    if ((generation & 1) === 0 || this.generations[index] !== generation) return -1;
    return index;
  }

  #grow(): void {
    const capacity = this.generations.length;
    if (capacity >= this.#limit) throw new RangeError(`TimerWheel: more than ${this.#limit} pending timers`);
    const grown = Math.min(capacity * 2, this.#limit);
    this.deadlineTicks = copyInto(new Float64Array(grown), this.deadlineTicks);
    this.nextLinks = copyInto(new Int32Array(grown), this.nextLinks);
    this.prevLinks = copyInto(new Int32Array(grown), this.prevLinks);
    this.generations = copyInto(new Uint32Array(grown), this.generations);
    this.payloads = copyInto(new Uint32Array(grown), this.payloads);
  }
}

function copyInto<T extends Float64Array | Int32Array | Uint32Array>(target: T, source: T): T {
  target.set(source);
  return target;
}
