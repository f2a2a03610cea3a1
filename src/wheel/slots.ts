// Intrusive FIFO lists of entries, one per wheel slot plus one "expired" list,
// threaded through EntryTable's link arrays, and an occupied-slot bitmap so
// the first non-empty slot is found with Math.clz32 instead of a scan.
//
// A list's end links hold -(listId + 1) rather than -1, so unlinking any entry
// finds its list's head/tail in O(1) without a per-entry location field.
// Wheel slot s of level L has listId L * 64 + s, so bitmap word w = listId / 32
// holds half a level, and lower listIds are always earlier in time (see
// listIdFor in level.ts): the lowest set bit overall is the next slot due.

import type { EntryTable } from './entries.ts';
import { SLOT_COUNT } from './level.ts';

export { EXPIRED_LIST, SlotLists };

/** Entries whose deadline has been reached, waiting for their callback. */
const EXPIRED_LIST = SLOT_COUNT;
const LIST_COUNT = SLOT_COUNT + 1;

class SlotLists {
  readonly #entries: EntryTable;
  readonly #heads = new Int32Array(LIST_COUNT).fill(-1);
  readonly #tails = new Int32Array(LIST_COUNT).fill(-1);
  /** Bit (listId % 32) of word (listId / 32) is set iff that wheel slot is non-empty. */
  readonly #occupiedWords = new Uint32Array(SLOT_COUNT / 32);
  /** Bit w is set iff #occupiedWords[w] !== 0. */
  #occupiedSummary = 0;

  constructor(entries: EntryTable) {
    this.#entries = entries;
  }

  /** The first entry of the list, or a negative number when it is empty. */
  head(listId: number): number {
    return this.#heads[listId];
  }

  /** The lowest non-empty wheel slot's listId, or -1 when every slot is empty. */
  firstOccupied(): number {
    const summary = this.#occupiedSummary;
    if (summary === 0) return -1;
    const word = lowestBit(summary);
    return word * 32 + lowestBit(this.#occupiedWords[word]);
  }

  /** The earliest deadline tick in the list (a linear scan), or Infinity when it is empty. */
  earliestDeadline(listId: number): number {
    const { deadlineTicks, nextLinks } = this.#entries;
    let earliestTick = Infinity;
    for (let index = this.#heads[listId]; index >= 0; index = nextLinks[index]) {
      if (deadlineTicks[index] < earliestTick) earliestTick = deadlineTicks[index];
    }
    return earliestTick;
  }

  append(listId: number, index: number): void {
    const { nextLinks, prevLinks } = this.#entries;
    const tail = this.#tails[listId];
    nextLinks[index] = -(listId + 1);
    if (tail >= 0) {
      nextLinks[tail] = index;
      prevLinks[index] = tail;
    } else {
      this.#heads[listId] = index;
      prevLinks[index] = -(listId + 1);
      if (listId < SLOT_COUNT) this.#markOccupied(listId);
    }
    this.#tails[listId] = index;
  }

  /** Removes `index` from whichever list holds it. */
  unlink(index: number): void {
    const { nextLinks, prevLinks } = this.#entries;
    const next = nextLinks[index];
    const prev = prevLinks[index];
    // A negative head or tail (any end link) means the list is empty.
    if (prev >= 0) nextLinks[prev] = next;
    else this.#heads[-prev - 1] = next;
    if (next >= 0) {
      prevLinks[next] = prev;
    } else {
      const listId = -next - 1;
      this.#tails[listId] = prev;
      if (prev < 0 && listId < SLOT_COUNT) this.#markEmpty(listId);
    }
  }

  /** Removes and returns the first entry of the list, or returns a negative number when it is empty. */
  shift(listId: number): number {
    const head = this.#heads[listId];
    if (head < 0) return head;
    const next = this.#entries.nextLinks[head];
    this.#heads[listId] = next;
    if (next >= 0) this.#entries.prevLinks[next] = -(listId + 1);
    else this.#emptied(listId);
    return head;
  }

  /**
   * Empties the non-empty list and returns its first entry. The detached chain keeps its
   * next links (ending in a negative number) until each entry is appended elsewhere.
   */
  detach(listId: number): number {
    const head = this.#heads[listId];
    this.#emptied(listId);
    return head;
  }

  /** Moves every entry of the non-empty list `fromId` to the empty list `toId` in O(1), in order. */
  moveAll(fromId: number, toId: number): void {
    const head = this.#heads[fromId];
    const tail = this.#tails[fromId];
    this.#entries.prevLinks[head] = -(toId + 1);
    this.#entries.nextLinks[tail] = -(toId + 1);
    this.#heads[toId] = head;
    this.#tails[toId] = tail;
    this.#emptied(fromId);
  }

  #emptied(listId: number): void {
    this.#heads[listId] = -1;
    this.#tails[listId] = -1;
    if (listId < SLOT_COUNT) this.#markEmpty(listId);
  }

  #markOccupied(listId: number): void {
    const word = listId >>> 5;
    this.#occupiedWords[word] |= 1 << (listId & 31);
    this.#occupiedSummary |= 1 << word;
  }

  #markEmpty(listId: number): void {
    const word = listId >>> 5;
    const bits = this.#occupiedWords[word] & ~(1 << (listId & 31));
    this.#occupiedWords[word] = bits;
    if (bits === 0) this.#occupiedSummary &= ~(1 << word);
  }
}

/** Index of the lowest set bit of a non-zero 32-bit word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}
