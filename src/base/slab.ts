/**
 * Slab: numbered entries for structures that keep their fields in parallel typed
 * arrays and must not allocate per entry (the timer wheel's entries, the pollable
 * table). It hands out indices (never-used ones first, then freed ones, the last
 * freed first), grows by doubling up to a limit, and names each live entry with a
 * handle that goes stale when the entry is released:
 *
 *   handle = generation * 2^24 + index      (below 2^53: generations wrap at 2^29)
 *
 * A generation is odd while its entry is live and even while it is free, so a
 * released entry's handles stop matching at once and a never-used entry
 * (generation 0) matches none. The index width is one constant, so the handle
 * arithmetic folds to constants on the hot paths.
 *
 * The owner keeps its own arrays (on a subclass, or beside a slab it holds),
 * grows them when told (grown(), or onGrow), and lends one Int32Array of links
 * to chain the free entries: an entry's link is the owner's while it is live (a
 * list of its own) and the slab's while it is free.
 */

// The handle's layout: INDEX_SPAN = 2^24, INDEX_MASK = 2^24 - 1, GENERATION_MASK = 2^29 - 1,
// written as literals where used (see liveIndexIn).

/** The most entries a slab can hold: every index fits the handle's low 24 bits. */
export const SLAB_LIMIT = 2 ** 24;

/** The entry a handle names, live or not (its low 24 bits): for messages and records. */
export function indexOfHandle(handle: number): number {
  return handle & (2 ** 24 - 1); // INDEX_MASK
}

/**
 * Slab.indexOf on a slab's generations, as a plain function: an owner on a hot path
 * (the pollable table's reads) calls it with the array it holds. The live entry
 * `handle` names, or -1 for stale, foreign or malformed handles.
 *
 * Here and in allocate/release/handleOf the constants are written as literals: V8
 * folds a literal into the callers this is inlined into, but loads another module's
 * constant at every use (measured: ~8% on the table's reads).
 */
export function liveIndexIn(generations: Uint32Array, handle: number): number {
  const generation = Math.floor(handle * 2 ** -24); // handle / INDEX_SPAN, exact
  // An int32 index keeps the owner's array reads on the fast path; the last test
  // turns away what the mask hides (fractions, negatives, handles past 2^53).
  const index = handle & (2 ** 24 - 1); // INDEX_MASK
  if ((generation & 1) === 0 || generations[index] !== generation || generation * 2 ** 24 + index !== handle) return -1;
  return index;
}

export interface SlabOptions {
  /** Entries before the first growth. */
  capacity: number;
  /** Most entries it may grow to (default SLAB_LIMIT). */
  limit?: number;
  /** The RangeError's message when an allocation would pass the limit. */
  fullMessage: string;
  /**
   * Called with the new capacity when the slab grows: the owner grows its arrays to it.
   * A subclass that keeps its arrays on itself overrides grown() instead.
   */
  onGrow?: (capacity: number) => void;
}

export class Slab {
  generations: Uint32Array;
  readonly limit: number;
  readonly #fullMessage: string;
  readonly #onGrow: ((capacity: number) => void) | undefined;
  #freeHead = -1;
  /** Entries at and above this index have never been handed out. */
  #unusedFrom = 0;

  constructor(options: SlabOptions) {
    const limit = options.limit ?? SLAB_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > SLAB_LIMIT) throw new RangeError(`Slab: limit must be an integer in 1..${SLAB_LIMIT}, got ${String(limit)}`);
    this.limit = limit;
    this.#fullMessage = options.fullMessage;
    this.#onGrow = options.onGrow;
    this.generations = new Uint32Array(options.capacity);
  }

  get capacity(): number {
    return this.generations.length;
  }

  /** Takes a free entry (growing when none is left) and marks it live; `links` chains the free ones. */
  allocate(links: Int32Array): number {
    let index = this.#freeHead;
    if (index >= 0) {
      this.#freeHead = links[index];
    } else {
      if (this.#unusedFrom === this.generations.length) this.#grow();
      index = this.#unusedFrom++;
    }
    this.generations[index] = (this.generations[index] + 1) & (2 ** 29 - 1); // GENERATION_MASK
    return index;
  }

  /** Marks a live entry free; every handle to it goes stale. */
  release(index: number, links: Int32Array): void {
    this.generations[index] = (this.generations[index] + 1) & (2 ** 29 - 1); // GENERATION_MASK
    links[index] = this.#freeHead;
    this.#freeHead = index;
  }

  handleOf(index: number): number {
    return this.generations[index] * 2 ** 24 + index; // INDEX_SPAN
  }

  /** The live entry `handle` names, or -1 for stale, foreign or malformed handles. */
  indexOf(handle: number): number {
    return liveIndexIn(this.generations, handle);
  }

  /** The slab grew to `capacity` entries: the owner's arrays grow to it too. */
  protected grown(capacity: number): void {
    this.#onGrow?.(capacity);
  }

  #grow(): void {
    const capacity = this.generations.length;
    if (capacity >= this.limit) throw new RangeError(this.#fullMessage);
    const grown = Math.min(capacity * 2, this.limit);
    this.generations = growArray(this.generations, grown);
    this.grown(grown);
  }
}

/** A copy of `array` with room for `length` elements (the rest zero). */
export function growArray<T extends Float64Array | Int32Array | Uint32Array>(array: T, length: number): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}
