/*
 * RunMeter: the time one actor's current call has spent running, as opposed to
 * waiting (in poll or block, or yielded to the event loop), against the
 * handler's `max_cpu_ms`. Wall time between the points where the guest gives
 * the thread up and gets it back is what it ran: on one thread nobody else
 * runs meanwhile. Checked where the guest already calls the host (the fuel
 * check of the fairness pass), so a budget costs nothing between checks.
 */
import { quoted, WasiTrap } from '../base/trap.ts';
import { DEFAULT_MAX_HOLD_MS } from './hold.ts';

export class RunMeter {
  readonly actorId: string;
  /** 0 = no budget. */
  limitMs = 0;
  /** Why limitMs is what it is, when the actor did not ask for it (named in the trap). */
  limitReason: string | null = null;
  /** Most ms the guest may hold the thread in code that cannot yield (thread/hold.ts); 0 = no limit. */
  holdLimitMs = DEFAULT_MAX_HOLD_MS;
  #nowMs: () => number;
  #usedMs = 0;
  /** When the guest last got the thread; -1 while it waits or is outside a call. */
  #sinceMs = -1;
  #inCall = false;

  constructor(actorId: string, nowMs: () => number = () => performance.now()) {
    this.actorId = actorId;
    this.#nowMs = nowMs;
  }

  begin(): void {
    this.#inCall = true;
    this.#usedMs = 0;
    this.#sinceMs = this.#nowMs();
  }

  end(): void {
    this.pause();
    this.#inCall = false;
  }

  /** The guest gives the thread up (it waits). */
  pause(): void {
    if (this.#sinceMs < 0) return;
    this.#usedMs += this.#nowMs() - this.#sinceMs;
    this.#sinceMs = -1;
  }

  /** The guest has the thread again. */
  resume(): void {
    if (this.#inCall && this.#sinceMs < 0) this.#sinceMs = this.#nowMs();
  }

  /** Traps the calling guest once its call has run longer than the budget. */
  check(nowMs = this.#nowMs()): void {
    if (this.limitMs === 0 || this.#sinceMs < 0) return;
    const usedMs = this.#usedMs + nowMs - this.#sinceMs;
    if (usedMs > this.limitMs) {
      const why = this.limitReason === null ? '' : `: ${this.limitReason}`;
      throw new WasiTrap(`cpu budget exceeded: actor ${quoted(this.actorId)} ran ${Math.round(usedMs)} ms in one call, not counting waits (max_cpu_ms ${this.limitMs}${why})`);
    }
  }
}
