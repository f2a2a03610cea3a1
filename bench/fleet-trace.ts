// A trace of one fleet run of ours (issue 14): for every wake-up, the exact
// deadline, when the wheel expired it, when its owner's waiting call ran
// again, and when the guest resumed. Bench-only: the probes wrap the runtime
// from outside (a timer wrapper, and the table's park and scan on this one
// runtime instance: a parked waiter is woken where its pollable became ready),
// so no production class carries a hook.
//
//   deadline ─round up─► tick start ─Node timer / busy loop─► fire ─batch position─► expiry
//            ─microtasks of the batch─► host continues ─jco + JSPI hops─► guest reads now()
import type { HostTimer } from '../src/clock/clock.ts';
import { nodeTimer } from '../src/clock/clock.ts';
import { HandlerRegistry } from '../src/handler/registry.ts';
import { TimingHandler } from '../src/handler/timing-handler.ts';
import type { Waiter } from '../src/pollables/owners.ts';
import type { HandleRef } from '../src/pollables/table.ts';
import { Actor } from '../src/runtime/actor.ts';
import type { TranspiledComponent } from '../src/component/transpile.ts';
import { TimingRuntime } from '../src/timing/timing-runtime.ts';
import type { TimingHost } from '../src/wasi/host.ts';
import { sleepState, type SleepRun } from './support.ts';

export { traceFleet, type FleetTrace, type WakeTrace };

const now = process.hrtime.bigint;

interface WakeTrace {
  /** Guest-requested deadline: its own `before` reading + the duration. */
  deadlineNs: bigint;
  /** Where the wheel files it: the start of its tick (deadline rounded up). */
  tickNs: bigint;
  /** Start of the timer callback whose advance expired it (-1n: expired early, by a reader). */
  fireNs: bigint;
  /** When the wheel expired it (its owner's wake was called). */
  expiredNs: bigint;
  /** When its owner's waiting call ran again (the re-scan). */
  hostNs: bigint;
  /** The guest's own reading right after block returned. */
  resumedNs: bigint;
  /** Which timer callback expired it (0-based), and its place in that batch. */
  batch: number;
  position: number;
}

interface FleetTrace {
  /** The run as every peer's runner reports it (lateness from the guests' own readings). */
  run: SleepRun;
  /** Most native timers armed at once during the run (the one-timer check). */
  maxArmed: number;
  wakes: WakeTrace[];
  /** Per callback of the timer (or run after the woken work): start, end and how many it expired. */
  fires: Array<{ kind: 'timer' | 'after work'; startNs: bigint; endNs: bigint; expired: number }>;
  /** Every arm: when, and for how far ahead (ms). */
  arms: Array<{ atNs: bigint; delayMs: number }>;
  /** Every wait on the thread for a sub-ms remainder (ms). */
  waits: number[];
  /** The first init call, and the loop's next turn after it (every init ran to its first suspension before). */
  startNs: bigint;
  /** The requested sleep, ns. */
  durationNs: bigint;
  burstEndNs: bigint;
  sleepMs: number;
}

/** The one native timer, with every arm and every callback's span recorded. */
class TracingTimer implements HostTimer {
  readonly fires: FleetTrace['fires'] = [];
  readonly arms: FleetTrace['arms'] = [];
  current = -1;
  armed = 0;
  maxArmed = 0;
  #inner: HostTimer;
  readonly waitActively?: (ms: number) => boolean;
  /** Every wait on the thread the scheduler made (ms asked). */
  readonly waits: number[] = [];
  constructor(inner: HostTimer) {
    this.#inner = inner;
    const wait = inner.waitActively;
    if (wait !== undefined) {
      this.waitActively = (ms: number): boolean => {
        const waited = wait.call(inner, ms);
        if (waited) this.waits.push(ms);
        return waited;
      };
    }
  }
  set(callback: () => void, delayMs: number): unknown {
    this.arms.push({ atNs: now(), delayMs });
    this.maxArmed = Math.max(this.maxArmed, ++this.armed);
    return this.#inner.set(() => {
      this.armed--;
      this.#traced('timer', callback);
    }, delayMs);
  }
  /** A batch expired once the previous batch's guests ran (the scheduler's afterCurrentWork). */
  afterCurrentWork(callback: () => void): void {
    const run = (): void => this.#traced('after work', callback);
    if (this.#inner.afterCurrentWork) this.#inner.afterCurrentWork(run);
    else run();
  }
  #traced(kind: 'timer' | 'after work', callback: () => void): void {
    this.current = this.fires.length;
    const fire = { kind, startNs: now(), endNs: 0n, expired: 0 };
    this.fires.push(fire);
    try {
      callback();
    } finally {
      fire.endNs = now();
      this.current = -1;
    }
  }
  clear(handle: unknown): void {
    this.armed--;
    this.#inner.clear(handle);
  }
  keepAlive(handle: unknown, on: boolean): void { this.#inner.keepAlive(handle, on); }
}

/** Runs n sleepers on a fresh runtime of ours and traces every wake-up. */
async function traceFleet(component: TranspiledComponent, n: number, durationNs: bigint, during?: () => void): Promise<FleetTrace> {
  const timer = new TracingTimer(nodeTimer());
  const runtime = new TimingRuntime({ timer });
  const handler = new TimingHandler({}, null, { mode: 'jspi', runtime });
  const registry = new HandlerRegistry();
  registry.register(handler);
  const t0 = performance.now();
  const actors = Array.from({ length: n }, (_, i) => Actor.spawn(component, registry, { id: `t${i}`, record: false }));
  const t1 = performance.now();
  const byOwner = new Map<number, number>();
  actors.forEach((_, i) => byOwner.set((handler.hostFor(`t${i}`) as TimingHost).owner, i));
  const expired: Array<{ ns: bigint; batch: number; position: number }> = new Array(n);
  const hostNs = new Array<bigint>(n).fill(-1n);
  const table = runtime.pollables;
  // A waiting call's waiter is woken where its pollable became ready (the wheel's expiry, or a reader's).
  const park = table.park.bind(table);
  table.park = (owner: number, waiter: Waiter): void => {
    const i = byOwner.get(owner);
    park(owner, i === undefined ? waiter : {
      wake: () => {
        if (expired[i] === undefined) {
          const fire = timer.fires[timer.current];
          expired[i] = { ns: now(), batch: timer.current, position: fire === undefined ? -1 : fire.expired++ };
        }
        waiter.wake();
      },
      fail: (error) => waiter.fail(error),
    });
  };
  const scan = table.scan.bind(table);
  table.scan = (items: ArrayLike<HandleRef>, out: number[]): number => {
    const found = scan(items, out);
    const first = items[0] as (HandleRef & { host?: TimingHost }) | undefined;
    const i = first?.host === undefined ? undefined : byOwner.get(first.host.owner);
    if (found > 0 && i !== undefined && hostNs[i] < 0n) hostNs[i] = now();
    return found;
  };

  const state = sleepState(durationNs);
  let rss = 0;
  const probe = setTimeout(() => { rss = process.memoryUsage().rss; during?.(); }, Number(durationNs / 2_000_000n));
  let burstEndNs = -1n;
  setImmediate(() => { burstEndNs = now(); });
  const startNs = now();
  const cpu = process.cpuUsage();
  const outcomes = await Promise.all(actors.map((a) => a.init(state)));
  const used = process.cpuUsage(cpu);
  const sleepMs = performance.now() - t1;
  // The loop never turned: every wake-up was expired from a guest call and resumed in the same drain.
  if (burstEndNs < 0n) burstEndNs = now();
  clearTimeout(probe);
  if (rss === 0) rss = process.memoryUsage().rss;
  for (const a of actors) a.stop();

  const wakes: WakeTrace[] = [];
  let failed = 0;
  outcomes.forEach((outcome, i) => {
    if (outcome.status !== 'ok' || outcome.state === null) { failed++; return; }
    const view = new DataView(outcome.state.buffer, outcome.state.byteOffset, 24);
    const deadlineNs = view.getBigUint64(0, true) + view.getBigUint64(16, true);
    const e = expired[i];
    const fire = e === undefined || e.batch < 0 ? undefined : timer.fires[e.batch];
    wakes.push({
      deadlineNs,
      tickNs: runtime.time.tickStartNs(runtime.time.deadlineToTick(deadlineNs)),
      fireNs: fire?.startNs ?? -1n,
      expiredNs: e?.ns ?? -1n,
      hostNs: hostNs[i],
      resumedNs: view.getBigUint64(8, true),
      batch: e?.batch ?? -1,
      position: e?.position ?? -1,
    });
  });
  const run: SleepRun = {
    spawnMs: t1 - t0,
    sleepMs,
    latenessMs: wakes.map((w) => Number(w.resumedNs - w.deadlineNs) / 1e6),
    wakes: wakes.map((w) => ({ deadlineNs: w.deadlineNs, afterNs: w.resumedNs })),
    rssMb: rss / 1e6,
    failed,
    burstMs: Number(burstEndNs - startNs) / 1e6,
    cpuMs: (used.user + used.system) / 1000,
    gcCount: Number.NaN, // not watched here: the trace is not a verdict round
    gcMaxMs: Number.NaN,
  };
  return { run, maxArmed: timer.maxArmed, wakes, fires: timer.fires, arms: timer.arms, waits: timer.waits, startNs, durationNs, burstEndNs, sleepMs };
}
