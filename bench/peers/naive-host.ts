// The naive peer: a host that makes one setTimeout per block (and per waiting
// poll), the way a first implementation would. Correct (never early: it
// re-checks a fresh reading and sleeps again), but every sleeper owns a timer.
export { naiveImports, suspendOnlyImports };

const now = process.hrtime.bigint;

class NaivePollable {
  readonly deadlineNs: bigint;
  constructor(deadlineNs: bigint) {
    this.deadlineNs = deadlineNs;
  }
  ready(): boolean {
    return now() >= this.deadlineNs;
  }
  block(): void | Promise<void> {
    if (this.ready()) return;
    return sleepUntil(this.deadlineNs);
  }
  [Symbol.dispose](): void {}
}

async function sleepUntil(deadlineNs: bigint): Promise<void> {
  for (let left = deadlineNs - now(); left > 0n; left = deadlineNs - now()) {
    await new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(Number(left) / 1e6)));
  }
}

function poll(list: NaivePollable[]): Uint32Array | Promise<Uint32Array> {
  const scan = (): number[] => list.flatMap((p, i) => (p.ready() ? [i] : []));
  const ready = scan();
  if (ready.length > 0) return Uint32Array.from(ready);
  const earliest = list.reduce((min, p) => (p.deadlineNs < min ? p.deadlineNs : min), list[0].deadlineNs);
  return sleepUntil(earliest).then(() => Uint32Array.from(scan()));
}

function naiveImports(): Record<string, object> {
  return {
    'wasi:clocks/monotonic-clock': {
      now,
      resolution: () => 1n,
      subscribeDuration: (d: bigint) => new NaivePollable(now() + d),
      subscribeInstant: (t: bigint) => new NaivePollable(t),
    },
    'wasi:io/poll': { Pollable: NaivePollable, poll },
  };
}

/**
 * The floor for a fleet of n: every block suspends until all n guests have blocked,
 * then all resume in the order they blocked, with no timer at all. That is the cost
 * of holding n actors suspended at once and resuming them, which every sleeping
 * fleet pays whatever its timers (resuming each at once instead would keep only a
 * slice of them suspended at a time, a cheaper and different workload).
 */
function suspendOnlyImports(n: number): () => Record<string, object> {
  const waiting: Array<() => void> = [];
  const arrive = (): Promise<void> => new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (waiting.length === n) for (const release of waiting.splice(0)) release();
  });
  class BarrierPollable {
    ready(): boolean { return true; }
    block(): Promise<void> { return arrive(); }
    [Symbol.dispose](): void {}
  }
  return () => {
    const clock = { now, resolution: () => 1n, subscribeDuration: () => new BarrierPollable(), subscribeInstant: () => new BarrierPollable() };
    return {
      'wasi:clocks/monotonic-clock': clock,
      'wasi:io/poll': { Pollable: BarrierPollable, poll: (list: BarrierPollable[]) => arrive().then(() => Uint32Array.from(list.keys())) },
    };
  };
}
