// A FIFO gate that lets at most `limit` tasks run at once; the rest wait in order.
// The fleet uses it to cap how many actors are alive (and so possibly suspended)
// at once: each suspended JSPI call and each instance hold memory mappings, and
// one process has vm.max_map_count of them (docs/FLEETS.md).

import { Fifo } from '../base/fifo.ts';

export class Gate {
  readonly limit: number;
  #running = 0;
  #peak = 0;
  #queue = new Fifo<() => void>();

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`gate limit must be a positive safe integer, got ${String(limit)} (${typeof limit})`);
    }
    this.limit = limit;
  }

  get running(): number { return this.#running; }
  get waiting(): number { return this.#queue.length; }
  /** The most tasks that ever ran at once. */
  get peak(): number { return this.#peak; }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#enter();
    try {
      return await task();
    } finally {
      this.#leave();
    }
  }

  #enter(): void {
    this.#running++;
    if (this.#running > this.#peak) this.#peak = this.#running;
  }

  #leave(): void {
    this.#running--;
    const next = this.#queue.shift();
    if (next !== undefined) {
      this.#enter();
      next();
    }
  }
}
