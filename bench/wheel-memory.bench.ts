// Bytes per pending timer: the growth of V8 heap + external (typed-array) memory
// after filing PENDING timers, with a forced GC (run with --expose-gc) on both
// sides. Handles and Timeout objects go into an array allocated beforehand, so
// only the structures themselves are counted.

import { TimerWheel } from '../src/wheel/wheel.ts';
import { makeRandom } from './harness.ts';
import { FlatQueueTimers } from './peers/flatqueue-timers.ts';
import { HeapTimerQueue } from './peers/heap-queue.ts';

export { run };

const PENDING = 100_000;
const SPREAD_TICKS = 60_000;
const TARGET_BYTES_PER_TIMER = 32;
const TIMEOUT_OFFSET_MS = 600_000;

function collect(): void {
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

function usedBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/**
 * Bytes per timer retained by `fill`, which files PENDING timers and returns what keeps them
 * alive. A first, discarded round lets V8 compile `fill`'s code, which would otherwise count.
 */
function measureBytesPerTimer(fill: (deadlines: Float64Array, keep: unknown[]) => unknown): number {
  measureOnce(fill);
  return measureOnce(fill);
}

function measureOnce(fill: (deadlines: Float64Array, keep: unknown[]) => unknown): number {
  const random = makeRandom(1);
  const deadlines = new Float64Array(PENDING);
  for (let i = 0; i < PENDING; i++) deadlines[i] = 1 + Math.floor(random() * SPREAD_TICKS);
  const keep = new Array<unknown>(PENDING).fill(null);
  collect();
  const beforeBytes = usedBytes();
  const structure = fill(deadlines, keep);
  collect();
  const bytesPerTimer = (usedBytes() - beforeBytes) / PENDING;
  for (const item of keep) if (typeof item === 'object' && item !== null) clearTimeout(item as NodeJS.Timeout);
  if (structure === undefined) throw new Error('unreachable: keeps the structure alive until measured');
  return bytesPerTimer;
}

function noop(): void {}

async function run(): Promise<string> {
  const rows: Array<[string, number]> = [
    ['TimerWheel (default capacity, grown by doubling)', measureBytesPerTimer((deadlines) => {
      const wheel = new TimerWheel();
      for (let i = 0; i < PENDING; i++) wheel.schedule(deadlines[i], i);
      return wheel;
    })],
    [`TimerWheel (capacity: ${PENDING})`, measureBytesPerTimer((deadlines) => {
      const wheel = new TimerWheel({ capacity: PENDING });
      for (let i = 0; i < PENDING; i++) wheel.schedule(deadlines[i], i);
      return wheel;
    })],
    ['binary heap (grown by doubling)', measureBytesPerTimer((deadlines) => {
      const heap = new HeapTimerQueue();
      for (let i = 0; i < PENDING; i++) heap.schedule(deadlines[i], i);
      return heap;
    })],
    ['flatqueue + Map of live timers (lazy cancel)', measureBytesPerTimer((deadlines) => {
      const queue = new FlatQueueTimers();
      for (let i = 0; i < PENDING; i++) queue.schedule(deadlines[i], i);
      return queue;
    })],
    ['setTimeout per timer', measureBytesPerTimer((deadlines, keep) => {
      for (let i = 0; i < PENDING; i++) keep[i] = setTimeout(noop, TIMEOUT_OFFSET_MS + deadlines[i]);
      return keep;
    })],
  ];
  const lines = [
    '### memory per pending timer',
    '',
    `Heap + external bytes retained by ${PENDING.toLocaleString('en-US')} pending timers (deadlines uniform over ` +
      `${SPREAD_TICKS / 1000} s), measured between forced GCs after a warm-up round. Growth by doubling leaves the tables up to half empty.`,
    '',
    '| implementation | pending | bytes/timer | target | verdict |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const [implementation, bytesPerTimer] of rows) {
    const verdict = bytesPerTimer <= TARGET_BYTES_PER_TIMER ? 'meets' : 'misses';
    lines.push(`| ${implementation} | ${PENDING.toLocaleString('en-US')} | ${bytesPerTimer.toFixed(2)} | ≤ ${TARGET_BYTES_PER_TIMER} | ${verdict} |`);
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.main) console.log(await run());
