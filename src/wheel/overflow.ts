// Deadlines beyond the wheel's current 2^36-tick rotation wait here: a binary
// min-heap of entry indices keyed by EntryTable.deadlineTicks. Each entry's
// heap position lives in its prevLinks (nextLinks = IN_OVERFLOW marks it), so
// cancel removes it at once in O(log n) with no dead entries left behind.
// Only timers more than ~795 days out, or ones crossing a rotation boundary,
// land here, so the heap is normally empty.

import { type EntryTable, IN_OVERFLOW } from './entries.ts';

export { OverflowHeap };

class OverflowHeap {
  readonly #entries: EntryTable;
  #heap = new Int32Array(16);
  #size = 0;

  constructor(entries: EntryTable) {
    this.#entries = entries;
  }

  get size(): number {
    return this.#size;
  }

  /** The entry with the earliest deadline, or -1 when empty. */
  peek(): number {
    return this.#size > 0 ? this.#heap[0] : -1;
  }

  push(index: number): void {
    if (this.#size === this.#heap.length) {
      const grown = new Int32Array(this.#heap.length * 2);
      grown.set(this.#heap);
      this.#heap = grown;
    }
    this.#entries.nextLinks[index] = IN_OVERFLOW;
    this.#siftUp(this.#size++, index);
  }

  /** Removes and returns the earliest entry; the heap must not be empty. */
  pop(): number {
    const index = this.#heap[0];
    this.remove(index);
    return index;
  }

  remove(index: number): void {
    const position = this.#entries.prevLinks[index];
    const last = this.#heap[--this.#size];
    if (position === this.#size) return;
    const deadlines = this.#entries.deadlineTicks;
    if (position > 0 && deadlines[last] < deadlines[this.#heap[(position - 1) >>> 1]]) {
      this.#siftUp(position, last);
    } else {
      this.#siftDown(position, last);
    }
  }

  #siftUp(position: number, index: number): void {
    const heap = this.#heap;
    const { deadlineTicks, prevLinks } = this.#entries;
    const deadline = deadlineTicks[index];
    while (position > 0) {
      const parentPosition = (position - 1) >>> 1;
      const parent = heap[parentPosition];
      if (deadlineTicks[parent] <= deadline) break;
      heap[position] = parent;
      prevLinks[parent] = position;
      position = parentPosition;
    }
    heap[position] = index;
    prevLinks[index] = position;
  }

  #siftDown(position: number, index: number): void {
    const heap = this.#heap;
    const size = this.#size;
    const { deadlineTicks, prevLinks } = this.#entries;
    const deadline = deadlineTicks[index];
    for (;;) {
      let child = 2 * position + 1;
      if (child >= size) break;
      if (child + 1 < size && deadlineTicks[heap[child + 1]] < deadlineTicks[heap[child]]) child++;
      if (deadlineTicks[heap[child]] >= deadline) break;
      heap[position] = heap[child];
      prevLinks[heap[child]] = position;
      position = child;
    }
    heap[position] = index;
    prevLinks[index] = position;
  }
}
