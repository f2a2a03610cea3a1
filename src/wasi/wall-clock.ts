// wasi:clocks/wall-clock with better than Date.now()'s 1 ms precision.
//
// Date.now() follows the system clock (NTP steps included) but only to the ms;
// process.hrtime is precise to the ns but drifts from the system clock. A reading
// is anchor + hrtime elapsed since the anchor, accepted only while it falls in
// the same millisecond as Date.now(); otherwise the anchor moves to Date.now().
// So every reading agrees with the system clock to the millisecond and carries
// sub-millisecond precision. Seconds and nanoseconds come from one bigint.

export interface WallSource {
  dateNowMs(): number;
  hrtimeNs(): bigint;
}

export const systemWallSource: WallSource = { dateNowMs: Date.now, hrtimeNs: process.hrtime.bigint };

export interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

export class WallClock {
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
    const dateNs = BigInt(dateMs) * 1_000_000n;
    if (this.#anchorHrNs >= 0n) {
      const estimateNs = this.#anchorNs + (hrNs - this.#anchorHrNs);
      if (estimateNs >= dateNs && estimateNs < dateNs + 1_000_000n) return estimateNs;
    }
    this.#anchorNs = dateNs;
    this.#anchorHrNs = hrNs;
    return dateNs;
  }

  now(): Datetime {
    const ns = this.nowNs();
    return { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) };
  }
}
