// A realistic timeout workload (issue 12): 100 000 request timeouts started
// over 60 s of simulated time (1 ms ticks), each 5 s long; 90 % are cancelled
// when their request completes (uniformly within the 5 s), the other 10 % fire.
// Every peer runs the same tick-by-tick script: schedule what starts, cancel
// what completes, advance to the tick. Times are the whole script's wall time.
// flatqueue cancels lazily, as its users do: a cancelled entry stays in the
// heap until its deadline comes up, so the table reports how many cancelled
// entries it held at most and what they weigh (bytes per flatqueue entry
// measured between forced GCs, times that count).
import FlatQueue from 'flatqueue';
import { TimerWheel } from '../src/wheel/wheel.ts';
import { makeRandom } from './harness.ts';
import { FlatQueueTimers } from './peers/flatqueue-timers.ts';
import { HeapTimerQueue } from './peers/heap-queue.ts';

export { run };

const TIMEOUTS = 100_000;
const SPAN_TICKS = 60_000;
const TIMEOUT_TICKS = 5_000;
const CANCELLED_SHARE = 0.9;
const ROUNDS = 5;

interface Queue {
  schedule(deadlineTick: number, payload: number): number;
  cancel(handle: number): boolean;
  advance(nowTick: number, onExpire: (payload: number) => void): number;
}

/** Per tick, which timeouts start and which are cancelled (-1: never). */
function script(): { startTick: Int32Array; cancelTick: Int32Array } {
  const random = makeRandom(12);
  const startTick = new Int32Array(TIMEOUTS);
  const cancelTick = new Int32Array(TIMEOUTS);
  for (let i = 0; i < TIMEOUTS; i++) {
    startTick[i] = 1 + Math.floor(random() * SPAN_TICKS);
    cancelTick[i] = random() < CANCELLED_SHARE ? startTick[i] + Math.floor(random() * (TIMEOUT_TICKS - 1)) : -1;
  }
  return { startTick, cancelTick };
}

function byTick(ticks: Int32Array, lastTick: number): Int32Array[] {
  const counts = new Int32Array(lastTick + 1);
  for (const t of ticks) if (t >= 0) counts[t]++;
  const lists = Array.from(counts, (n) => new Int32Array(n));
  counts.fill(0);
  ticks.forEach((t, i) => { if (t >= 0) lists[t][counts[t]++] = i; });
  return lists;
}

function simulate(make: () => Queue, starts: Int32Array[], cancels: Int32Array[], sample?: (q: Queue) => void): { ms: number; fired: number } {
  const queue = make();
  const handles = new Float64Array(TIMEOUTS);
  let fired = 0;
  const onExpire = (): void => { fired++; };
  const t0 = performance.now();
  for (let tick = 1; tick < starts.length; tick++) {
    for (const i of starts[tick]) handles[i] = queue.schedule(tick + TIMEOUT_TICKS, i);
    for (const i of cancels[tick]) queue.cancel(handles[i]);
    queue.advance(tick, onExpire);
    sample?.(queue);
  }
  return { ms: performance.now() - t0, fired };
}

/** Heap bytes one flatqueue entry takes (its ids and values arrays), between forced GCs. */
function flatqueueEntryBytes(): number {
  const gc = globalThis.gc as () => void;
  const n = 1_000_000;
  gc();
  const before = process.memoryUsage().heapUsed;
  const queue = new FlatQueue<number>();
  for (let i = 0; i < n; i++) queue.push(i + 1, 5_000 + (i % 60_000));
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / n;
  if (queue.length !== n) throw new Error('unreachable: keeps the queue alive until measured');
  return bytes;
}

async function run(): Promise<string> {
  const { startTick, cancelTick } = script();
  const lastTick = SPAN_TICKS + TIMEOUT_TICKS + 1;
  const starts = byTick(startTick, lastTick);
  const cancels = byTick(cancelTick, lastTick);
  const expectedFired = cancelTick.filter((t) => t < 0).length;
  const peers: Array<[string, () => Queue]> = [
    ['TimerWheel', () => new TimerWheel()],
    ['binary heap (eager cancel)', () => new HeapTimerQueue()],
    ['flatqueue, lazy cancel', () => new FlatQueueTimers()],
  ];
  const rows: string[] = [];
  let peakRetained = 0;
  for (const [name, make] of peers) {
    const times: number[] = [];
    let fired = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const r = simulate(make, starts, cancels);
      times.push(r.ms);
      fired = r.fired;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(ROUNDS / 2)];
    rows.push(`| ${name} | ${median.toFixed(1)} | ${((TIMEOUTS * 2 * 1000) / median / 1e6).toFixed(1)} | ${fired.toLocaleString('en-US')}${fired === expectedFired ? '' : ` (expected ${expectedFired})`} |`);
  }
  simulate(() => new FlatQueueTimers(), starts, cancels, (q) => { peakRetained = Math.max(peakRetained, (q as FlatQueueTimers).retained); });
  const entryBytes = flatqueueEntryBytes();
  return [
    '### timeout workload: 100 000 timeouts over 60 s, 90 % cancelled',
    '',
    `${TIMEOUTS.toLocaleString('en-US')} timeouts of ${TIMEOUT_TICKS / 1000} s, started uniformly over ${SPAN_TICKS / 1000} s of simulated 1 ms ticks; `
      + `${CANCELLED_SHARE * 100} % cancelled before they are due, the rest fire. One run = every tick: schedule, cancel, advance. Median of ${ROUNDS} runs; `
      + '"M ops/s" counts a schedule and its cancel or firing as 2 ops.',
    '',
    '| implementation | ms per run | M ops/s | fired |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
    `Retained by lazy cancellation (flatqueue): at most ${peakRetained.toLocaleString('en-US')} cancelled entries were still in its heap at once `
      + `(${entryBytes.toFixed(1)} B each measured, so ~${((peakRetained * entryBytes) / 1024).toFixed(0)} KiB held for timers that no longer exist; `
      + 'each also costs a pop when its deadline comes up). The wheel and the heap remove an entry on cancel and retain none.',
    '',
  ].join('\n');
}

if (import.meta.main) console.log(await run());
