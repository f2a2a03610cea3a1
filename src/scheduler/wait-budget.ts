/*
 * WaitBudget: how long the scheduler may wait on the thread (actively) for a
 * deadline, rather than let Node's timer wake it.
 *
 * Node's timers count whole milliseconds from when the loop goes to sleep and
 * wake ~0.2 ms after that, so a deadline 0.3 ms away is met ~1.2 ms late, and a
 * fleet whose deadlines fall every few tens of µs wakes in 1.2 ms lumps. Waiting
 * on the thread for a remainder under a millisecond meets it within µs, but
 * holds the thread (nothing else runs meanwhile) and burns CPU for the part it
 * watches the clock (the last 0.12 ms; clock/clock.ts), so the waiting is rationed:
 *
 * - each woken guest earns PER_WAKE_MS (25 µs, about what resuming one costs):
 *   a dense fleet's waits pay for themselves at most once over;
 * - time that passes earns IDLE_SHARE of itself (1 %: 10 µs per ms), so a sparse
 *   sleeper after a quiet spell is met precisely too;
 * - credit never exceeds CAP_MS, which is also the longest single wait.
 *
 * So active waiting holds the thread at most 25 µs per wake-up plus 1 % of the time, and an
 * idle process spends nothing: waits happen only for a deadline due within the
 * credit, and never while other work is queued for the thread (clock/clock.ts).
 */

/** Credit each woken guest earns, ms. */
export const PER_WAKE_MS = 0.025;
/** The share of passing time that turns into credit. */
export const IDLE_SHARE = 0.01;
/** The most credit that builds up, and so the longest single wait, ms. */
export const CAP_MS = 1;

export class WaitBudget {
  #creditMs = CAP_MS;
  #lastMs: number;
  #nowMs: () => number;

  constructor(nowMs: () => number = () => performance.now()) {
    this.#nowMs = nowMs;
    this.#lastMs = nowMs();
  }

  /** The credit now, ms. */
  get creditMs(): number {
    const now = this.#nowMs();
    this.#creditMs = Math.min(CAP_MS, this.#creditMs + (now - this.#lastMs) * IDLE_SHARE);
    this.#lastMs = now;
    return this.#creditMs;
  }

  /** `count` guests were woken. */
  earnWakes(count: number): void {
    this.#creditMs = Math.min(CAP_MS, this.creditMs + count * PER_WAKE_MS);
  }

  affords(ms: number): boolean {
    return ms <= this.creditMs;
  }

  spend(ms: number): void {
    this.#creditMs = Math.max(0, this.#creditMs - ms);
  }
}
