// The peer users actually install: flatqueue (a small binary heap on two
// arrays), used the way its users cancel timers, lazily. flatqueue has no
// remove, so cancel forgets the timer in a Map and leaves its heap entry in
// place; advance pops and skips entries that are no longer in the Map. Same
// API shape as TimerWheel and HeapTimerQueue (ticks in, u32 payloads, numeric
// handles). The cost of laziness: cancelled entries stay in the heap, taking
// memory and pop time, until their deadline comes up (`retained`).
import FlatQueue from 'flatqueue';

export { FlatQueueTimers };

class FlatQueueTimers {
  #queue = new FlatQueue<number>();
  #live = new Map<number, number>();
  #nextHandle = 1;
  #nowTick = 0;

  get size(): number { return this.#live.size; }
  get nowTick(): number { return this.#nowTick; }
  /** Heap entries of cancelled timers still held. */
  get retained(): number { return this.#queue.length - this.#live.size; }

  schedule(deadlineTick: number, payload: number): number {
    if (deadlineTick <= this.#nowTick) return -1;
    const handle = this.#nextHandle++;
    this.#live.set(handle, payload);
    this.#queue.push(handle, deadlineTick);
    return handle;
  }

  cancel(handle: number): boolean {
    return this.#live.delete(handle);
  }

  nextExpiry(): number {
    while (this.#queue.length > 0 && !this.#live.has(this.#queue.peek() as number)) this.#queue.pop();
    return this.#queue.peekValue() ?? Infinity;
  }

  advance(nowTick: number, onExpire: (payload: number) => void): number {
    if (nowTick > this.#nowTick) this.#nowTick = nowTick;
    let fired = 0;
    while (this.#queue.length > 0 && (this.#queue.peekValue() as number) <= nowTick) {
      const handle = this.#queue.pop() as number;
      const payload = this.#live.get(handle);
      if (payload === undefined) continue; // cancelled: dropped only now
      this.#live.delete(handle);
      fired++;
      onExpire(payload);
    }
    return fired;
  }
}
