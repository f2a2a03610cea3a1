/**
 * Slab: numbered entries for structures that keep their fields in parallel typed
 * arrays and must not allocate per entry (the timer wheel's entries, the pollable
 * table). It hands out indices (never-used ones first, then freed ones, the last
 * freed first), grows by doubling up to a limit, and names each live entry with a
 * handle that goes stale when the entry is released:
 *
 *   handle = generation * 2^indexBits + index      (below 2^53)
 *
 * A generation is odd while its entry is live and even while it is free, so a
 * released entry's handles stop matching at once and a never-used entry
 * (generation 0) matches none; generations wrap at 2^(53 - indexBits).
 *
 * The owner keeps its own arrays, grows them when told (onGrow), and lends one
 * Int32Array of links to chain the free entries: an entry's link is the owner's
 * while it is live (a list of its own) and the slab's while it is free.
 */

export interface SlabOptions {
  /** Entries before the first growth. */
  capacity: number;
  /** Bits of a handle that hold the index: at most 2^indexBits entries. */
  indexBits: number;
  /** Most entries it may grow to (default 2^indexBits). */
  limit?: number;
  /** The RangeError's message when an allocation would pass the limit. */
  fullMessage: string;
  /** Called with the new capacity when the slab grows: the owner grows its arrays to it. */
  onGrow: (capacity: number) => void;
}

export class Slab {
  generations: Uint32Array;
  readonly limit: number;
  readonly #indexSpan: number;
  readonly #generationMask: number;
  readonly #fullMessage: string;
  readonly #onGrow: (capacity: number) => void;
  #freeHead = -1;
  /** Entries at and above this index have never been handed out. */
  #unusedFrom = 0;

  constructor(options: SlabOptions) {
    this.#indexSpan = 2 ** options.indexBits;
    this.#generationMask = 2 ** (53 - options.indexBits) - 1;
    this.limit = options.limit ?? this.#indexSpan;
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
    this.generations[index] = (this.generations[index] + 1) & this.#generationMask;
    return index;
  }

  /** Marks a live entry free; every handle to it goes stale. */
  release(index: number, links: Int32Array): void {
    this.generations[index] = (this.generations[index] + 1) & this.#generationMask;
    links[index] = this.#freeHead;
    this.#freeHead = index;
  }

  handleOf(index: number): number {
    return this.generations[index] * this.#indexSpan + index;
  }

  /** The live entry `handle` names, or -1 for stale, foreign or malformed handles. */
  indexOf(handle: number): number {
    const generation = Math.floor(handle / this.#indexSpan);
    const index = handle - generation * this.#indexSpan;
    // Out-of-range and fractional indices read `undefined` and fail the match.
    if ((generation & 1) === 0 || this.generations[index] !== generation) return -1;
    return index;
  }

  #grow(): void {
    const capacity = this.generations.length;
    if (capacity >= this.limit) throw new RangeError(this.#fullMessage);
    const grown = Math.min(capacity * 2, this.limit);
    this.generations = growArray(this.generations, grown);
    this.#onGrow(grown);
  }
}

/** A copy of `array` with room for `length` elements (the rest zero). */
export function growArray<T extends Float64Array | Int32Array | Uint32Array>(array: T, length: number): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}
