// wasi:clocks/wall-clock with better than Date.now()'s 1 ms precision.
//
// Date.now() follows the system clock (NTP steps included) but only to the ms;
// process.hrtime is precise to the ns but drifts from the system clock. A reading
// is anchor + hrtime elapsed since the anchor, accepted only while it falls in
// the same millisecond as Date.now(); otherwise the anchor moves to Date.now().
// The new anchor takes its sub-millisecond part from performance.timeOrigin +
// performance.now() (the system clock read at a µs at process start, plus a
// monotonic offset) when that lands in the same millisecond, so even the first
// reading is sub-ms. Every reading agrees with the system clock to the
// millisecond and carries sub-millisecond precision. Seconds and nanoseconds
// come from one bigint. Each runtime builds its own (src/timing/timing-runtime.ts).

import { NS_PER_MS, NS_PER_S } from '../base/units.ts';

/** Nanoseconds since the epoch as a WASI datetime. */
export function splitDatetime(ns: bigint): Datetime {
  return { seconds: ns / NS_PER_S, nanoseconds: Number(ns % NS_PER_S) };
}

export interface WallSource {
  dateNowMs(): number;
  hrtimeNs(): bigint;
  /** A sub-millisecond estimate of the wall time in ms, used to place a new anchor. */
  preciseMs?(): number;
}

export const systemWallSource: WallSource = {
  dateNowMs: Date.now,
  hrtimeNs: process.hrtime.bigint,
  preciseMs: () => performance.timeOrigin + performance.now(),
};

export interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

/** What the wall-clock import reads: real (WallClock) or virtual (src/timing/virtual.ts). */
export interface WallReader {
  now(): Datetime;
}

export class WallClock implements WallReader {
  #source: WallSource;
  #anchorNs = 0n; // ns since the epoch at #anchorHrNs
  #anchorHrNs = -1n;

  constructor(source: WallSource = systemWallSource) {
    this.#source = source;
  }

  /** Nanoseconds since the Unix epoch. */
  nowNs(): bigint {
    const dateMs = this.#source.dateNowMs();
    const hrNs = this.#source.hrtimeNs();
    const dateNs = BigInt(dateMs) * NS_PER_MS;
    if (this.#anchorHrNs >= 0n) {
      const estimateNs = this.#anchorNs + (hrNs - this.#anchorHrNs);
      if (estimateNs >= dateNs && estimateNs < dateNs + NS_PER_MS) return estimateNs;
    }
    const precise = this.#source.preciseMs?.() ?? dateMs;
    const fractionNs = precise >= dateMs && precise < dateMs + 1 ? BigInt(Math.floor((precise - dateMs) * 1e6)) : 0n;
    this.#anchorNs = dateNs + fractionNs;
    this.#anchorHrNs = hrNs;
    return this.#anchorNs;
  }

  now(): Datetime {
    const ns = this.nowNs();
    return splitDatetime(ns);
  }
}
