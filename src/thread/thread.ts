/*
 * Thread: what the guests of one runtime share of the JavaScript thread they all
 * run on. One per TimingRuntime, built in one place and passed down (the
 * timer, virtual time, every handler and actor of the runtime read it), so two
 * runtimes in one process keep apart and a test injects its own clock:
 *
 *   slice      how long the thread has been held since the event loop last ran
 *   admission  when a new call may enter a guest (a FIFO pumped once per turn)
 *   meter(id)  one actor's run time against its max_cpu_ms, on the same clock
 */
import { Admission } from './admission.ts';
import { RunMeter } from './run-meter.ts';
import { EventLoopSlice, type SliceOptions } from './slice.ts';

export class Thread {
  readonly slice: EventLoopSlice;
  readonly admission: Admission;
  readonly #nowMs: () => number;

  constructor(options: SliceOptions = {}) {
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.slice = new EventLoopSlice({ ...options, nowMs: this.#nowMs });
    this.admission = new Admission(this.slice);
  }

  /** Guest calls are queued to enter: the thread has work, so nothing may wait on it in their place. */
  get busy(): boolean {
    return this.admission.waiting > 0;
  }

  /** A meter for one actor's calls, on this thread's clock. */
  meter(actorId: string): RunMeter {
    return new RunMeter(actorId, this.#nowMs);
  }
}
