/*
 * ResumeQueue: lets woken calls go one at a time.
 *
 * A timer batch wakes many guests at once. Resolving all their promises in the
 * batch queues one continuation per guest, and each guest needs two (jco's
 * await, then the JSPI resume): the first guest of a batch of B would resume
 * only after the other B - 1 had taken their first step. Queued here, each
 * resolution is released one microtask after the previous one, so each guest
 * resumes a few steps after the one before it: the batch takes as long as
 * before, but its head no longer waits for its tail (issue 14's trace).
 *
 *   expiry ─► push(r1) push(r2) … ─► r1 │ r1's jco step │ r2 │ guest 1 resumes │ r2's jco step │ r3 …
 */
export class ResumeQueue {
  #queue: Array<() => void> = [];
  #head = 0;
  #running = false;

  /** Queued, not yet released. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Runs `release` now if nothing is queued, else after everything queued before it, one per microtask. */
  push(release: () => void): void {
    if (!this.#running) {
      this.#running = true;
      try {
        release();
      } finally {
        queueMicrotask(this.#step);
      }
      return;
    }
    this.#queue.push(release);
  }

  #step = (): void => {
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
      this.#running = false;
      return;
    }
    const release = this.#queue[this.#head++];
    // Released first: its first step is queued ahead of the next release.
    try {
      release();
    } finally {
      queueMicrotask(this.#step);
    }
  };
}
