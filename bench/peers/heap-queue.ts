// The comparison peer: a binary min-heap timer queue with O(log n) cancel,
// written to be decent rather than a straw man. Same API shape as TimerWheel
// (ticks in, u32 payloads, generation-checked handles) and the same storage
// habits: typed arrays, a free list, growth by doubling, no allocation per op.
// Per entry: deadline f64 + heap position i32 + generation u32 + payload u32,
// plus one i32 heap slot = 24 bytes.

export { HeapTimerQueue };

const INDEX_SPAN = 2 ** 24;
const GENERATION_MASK = 2 ** 29 - 1;

class HeapTimerQueue {
  #deadlineTicks: Float64Array;
  /** Heap position while pending; next free entry while free. */
  #positions: Int32Array;
  #generations: Uint32Array;
  #payloads: Uint32Array;
  #heap: Int32Array;
  #size = 0;
  #freeHead = -1;
  #unusedFrom = 0;
  #nowTick = 0;

  constructor(capacity = 1024) {
    this.#deadlineTicks = new Float64Array(capacity);
    this.#positions = new Int32Array(capacity);
    this.#generations = new Uint32Array(capacity);
    this.#payloads = new Uint32Array(capacity);
    this.#heap = new Int32Array(capacity);
  }

  get size(): number { return this.#size; }
  get nowTick(): number { return this.#nowTick; }

  schedule(deadlineTick: number, payload: number): number {
    if (deadlineTick <= this.#nowTick) return -1;
    let index = this.#freeHead;
    if (index >= 0) this.#freeHead = this.#positions[index];
    else {
      if (this.#unusedFrom === this.#generations.length) this.#grow();
      index = this.#unusedFrom++;
    }
    this.#generations[index] = (this.#generations[index] + 1) & GENERATION_MASK;
    this.#deadlineTicks[index] = deadlineTick;
    this.#payloads[index] = payload;
    this.#siftUp(this.#size++, index);
    return this.#generations[index] * INDEX_SPAN + index;
  }

  cancel(handle: number): boolean {
    const generation = Math.floor(handle / INDEX_SPAN);
    const index = handle - generation * INDEX_SPAN;
    if ((generation & 1) === 0 || this.#generations[index] !== generation) return false;
    const position = this.#positions[index];
    const last = this.#heap[--this.#size];
    if (position !== this.#size) {
      if (position > 0 && this.#deadlineTicks[last] < this.#deadlineTicks[this.#heap[(position - 1) >>> 1]]) this.#siftUp(position, last);
      else this.#siftDown(position, last);
    }
    this.#free(index);
    return true;
  }

  nextExpiry(): number {
    return this.#size > 0 ? this.#deadlineTicks[this.#heap[0]] : Infinity;
  }

  advance(nowTick: number, onExpire: (payload: number) => void): number {
    if (nowTick > this.#nowTick) this.#nowTick = nowTick;
    let fired = 0;
    while (this.#size > 0 && this.#deadlineTicks[this.#heap[0]] <= nowTick) {
      const index = this.#heap[0];
      const last = this.#heap[--this.#size];
      if (this.#size > 0) this.#siftDown(0, last);
      const payload = this.#payloads[index];
      this.#free(index);
      fired++;
      onExpire(payload);
    }
    return fired;
  }

  #free(index: number): void {
    this.#generations[index] = (this.#generations[index] + 1) & GENERATION_MASK;
    this.#positions[index] = this.#freeHead;
    this.#freeHead = index;
  }

  #siftUp(position: number, index: number): void {
    const heap = this.#heap;
    const deadlines = this.#deadlineTicks;
    const positions = this.#positions;
    const deadline = deadlines[index];
    while (position > 0) {
      const parentPosition = (position - 1) >>> 1;
      const parent = heap[parentPosition];
      if (deadlines[parent] <= deadline) break;
      heap[position] = parent;
      positions[parent] = position;
      position = parentPosition;
    }
    heap[position] = index;
    positions[index] = position;
  }

  #siftDown(position: number, index: number): void {
    const heap = this.#heap;
    const deadlines = this.#deadlineTicks;
    const positions = this.#positions;
    const size = this.#size;
    const deadline = deadlines[index];
    for (;;) {
      let child = 2 * position + 1;
      if (child >= size) break;
      if (child + 1 < size && deadlines[heap[child + 1]] < deadlines[heap[child]]) child++;
      const childIndex = heap[child];
      if (deadlines[childIndex] >= deadline) break;
      heap[position] = childIndex;
      positions[childIndex] = position;
      position = child;
    }
    heap[position] = index;
    positions[index] = position;
  }

  #grow(): void {
    const capacity = this.#generations.length * 2;
    const deadlineTicks = new Float64Array(capacity);
    deadlineTicks.set(this.#deadlineTicks);
    this.#deadlineTicks = deadlineTicks;
    const positions = new Int32Array(capacity);
    positions.set(this.#positions);
    this.#positions = positions;
    const generations = new Uint32Array(capacity);
    generations.set(this.#generations);
    this.#generations = generations;
    const payloads = new Uint32Array(capacity);
    payloads.set(this.#payloads);
    this.#payloads = payloads;
    const heap = new Int32Array(capacity);
    heap.set(this.#heap);
    this.#heap = heap;
  }
}
