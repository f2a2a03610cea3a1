// What a hibernated actor keeps, and what runs a durable run's actors.
//
// A hibernated actor is nothing but one timer-wheel entry (wheel/: 24 bytes, its
// wake-up tick and its instance number) and its log on disk (which is its whole
// state; the log's descriptor is closed by the group commit). No instance, no
// JSPI stack, no promise, no closure, no host timer: Sleepers holds one host
// timer for all of them, armed for the earliest wake-up.
//
// runInstances starts instances no faster than the gate lets them run (so the
// queue of actors not yet started is a counter, not a million closures), and
// files an incarnation that hibernated in Sleepers; when its tick comes, the
// same incarnation function rebuilds it (the caller replays its log).
import { TimerWheel } from '../wheel/wheel.ts';
import { Fifo } from '../base/fifo.ts';
import { Gate } from './gate.ts';

type Schedule = (callback: () => void, ms: number) => () => void;

const hostTimer: Schedule = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

export interface SleepersOptions {
  /** The clock, in ms (default performance.now). */
  now?: () => number;
  /** Arms the one host timer; returns its cancel (default setTimeout). */
  schedule?: Schedule;
  /** Wheel entries allocated up front (it doubles when full). */
  capacity?: number;
}

/** Hibernated actors by wake-up time, 1 ms ticks; wake(instance) is called at or after its time. */
export class Sleepers {
  readonly #wheel: TimerWheel;
  readonly #origin: number;
  readonly #now: () => number;
  readonly #schedule: Schedule;
  readonly #wake: (instance: number) => void;
  #cancel: (() => void) | null = null;
  #armedTick = Infinity;

  constructor(wake: (instance: number) => void, options: SleepersOptions = {}) {
    this.#wake = wake;
    this.#now = options.now ?? (() => performance.now());
    this.#schedule = options.schedule ?? hostTimer;
    this.#origin = this.#now();
    this.#wheel = new TimerWheel({ capacity: options.capacity ?? 1024 });
  }

  get size(): number { return this.#wheel.size; }

  /**
   * Files `instance` to wake at `atMs` (on the clock given). One whose time the wheel has
   * passed already (takeEarly moved it ahead of the clock) is woken at once.
   */
  add(instance: number, atMs: number): void {
    const tick = Math.floor(atMs - this.#origin);
    if (tick <= this.#wheel.nowTick) {
      this.#wake(instance);
      return;
    }
    this.#wheel.schedule(tick, instance);
    if (tick < this.#armedTick) this.#arm();
  }

  /**
   * Wakes, ahead of time, the sleepers due within `horizonMs` from now, earliest first, one
   * tick at a time until at least `count` are woken; how many were.
   */
  takeEarly(horizonMs: number, count: number): number {
    const limit = Math.floor(this.#now() - this.#origin + horizonMs);
    let woken = 0;
    const due: number[] = [];
    for (let next = this.#wheel.nextExpiry(); woken < count && next <= limit; next = this.#wheel.nextExpiry()) {
      woken += this.#wheel.advance(next, (instance) => { due.push(instance); });
    }
    if (woken > 0) this.#arm();
    for (const instance of due) this.#wake(instance);
    return woken;
  }

  #arm(): void {
    this.#cancel?.();
    const next = this.#wheel.nextExpiry();
    this.#armedTick = next;
    this.#cancel = next === Infinity ? null : this.#schedule(() => this.#fire(), Math.max(0, next - (this.#now() - this.#origin)));
  }

  #fire(): void {
    this.#cancel = null;
    this.#armedTick = Infinity;
    const due: number[] = [];
    this.#wheel.advance(Math.max(this.#wheel.nowTick, Math.floor(this.#now() - this.#origin)), (instance) => { due.push(instance); });
    this.#arm();
    for (const instance of due) this.#wake(instance);
  }
}

/** One incarnation of an actor: the time (ms, on the Sleepers' clock) to rebuild it at, or null when it settled. */
export type Incarnation = (instance: number, first: boolean) => Promise<number | null>;

export interface RunInstancesOptions {
  instances: number;
  maxLive: number;
  incarnation: Incarnation;
  /**
   * When nothing else waits, rebuild sleepers due within this many ms ahead of time, so a
   * burst of wake-ups is spread over the quiet time before it (0: never). Keep it below
   * the shortest hibernation, so a sleeper filed later is never behind the wheel.
   */
  earlyMs?: number;
  /** Sleepers' clock and timer (tests inject them). */
  sleepers?: SleepersOptions;
  /** Runs `callback` on a later turn of the event loop (default setImmediate; tests inject it). */
  later?: (callback: () => void) => void;
}

export interface RunInstancesResult {
  /** The most incarnations that ran at once. */
  peakLive: number;
  /** Actors that hibernated at least once. */
  hibernated: number;
  hibernations: number;
  /** Actors that never hibernated. */
  keptLive: number;
}

/** Incarnations launched per turn of the event loop: a batch (~0.3–0.5 ms each here) stays well under a wake-up's lead. */
export const START_BATCH = 16;

/**
 * Runs every instance to the end, hibernating and rebuilding as its incarnations say.
 * Each turn of the event loop launches up to START_BATCH incarnations, while the gate
 * has room: due wake-ups first, then (with earlyMs) wake-ups due soon, then starts; so
 * timers run between batches and a start never delays a wake-up.
 */
export function runInstances(options: RunInstancesOptions): Promise<RunInstancesResult> {
  const { instances, incarnation } = options;
  const later = options.later ?? setImmediate;
  const earlyMs = options.earlyMs ?? 0;
  const gate = new Gate(options.maxLive);
  const slept = new Uint8Array(instances);
  const woken = new Fifo<number>();
  const result: RunInstancesResult = { peakLive: 0, hibernated: 0, hibernations: 0, keptLive: 0 };
  let nextStart = 0;
  let settled = 0;
  let queued = false;
  return new Promise((resolve, reject) => {
    const room = (): boolean => gate.running < gate.limit;
    const sleepers = new Sleepers((instance) => { woken.push(instance); schedule(); }, { capacity: Math.max(1, Math.min(instances, 2 ** 24)), ...options.sleepers });
    const launch = (instance: number, first: boolean): void => {
      gate.run(() => incarnation(instance, first)).then((wakeAt) => after(instance, wakeAt), reject);
    };
    const turn = (): void => {
      queued = false;
      for (let n = 0; n < START_BATCH && room(); n++) {
        const instance = woken.shift();
        if (instance !== undefined) launch(instance, false);
        else if (earlyMs > 0 && gate.running < gate.limit / 2 && sleepers.takeEarly(earlyMs, 1) > 0) n--; // filed in woken: launched next round
        else if (nextStart < instances) launch(nextStart++, true);
        else break;
      }
      if ((woken.length > 0 || nextStart < instances) && room()) schedule();
    };
    const schedule = (): void => {
      if (queued) return;
      queued = true;
      later(turn);
    };
    const after = (instance: number, wakeAt: number | null): void => {
      schedule(); // a slot is free
      if (wakeAt !== null) {
        result.hibernations++;
        if (slept[instance] === 0) result.hibernated++;
        slept[instance] = 1;
        sleepers.add(instance, wakeAt);
        return;
      }
      if (slept[instance] === 0) result.keptLive++;
      if (++settled === instances) resolve({ ...result, peakLive: gate.peak });
    };
    if (instances === 0) resolve({ ...result, peakLive: 0 });
    else turn();
  });
}
