// schedule(): time BATCH schedules on top of `pending` timers already filed,
// deadlines uniform over the next minute. The batch is cancelled untimed after
// each sample, so the structure stays at `pending` (steady state, free list hot).

import { TimerWheel } from '../src/wheel/wheel.ts';
import { type TimedCase, measure, randomDeadlines, renderTable } from './harness.ts';
import { FlatQueueTimers } from './peers/flatqueue-timers.ts';
import { HeapTimerQueue } from './peers/heap-queue.ts';

/** The two heap peers: hand-written (eager cancel) and flatqueue (lazy cancel). */
const HEAPS = {
  'binary heap': () => new HeapTimerQueue(),
  'flatqueue, lazy cancel': () => new FlatQueueTimers(),
} as const;
type HeapName = keyof typeof HEAPS;

export { run };

const BATCH = 1000;
const SPREAD_TICKS = 60_000;
const SIZES = [10_000, 100_000];
const TARGET_OPS_PER_SECOND = 10e6;
/** setTimeout delays sit 10 minutes out so no timer fires during the run. */
const TIMEOUT_OFFSET_MS = 600_000;

function wheelCase(pending: number): TimedCase {
  let wheel = new TimerWheel();
  const batchDeadlines = randomDeadlines(BATCH, 2, SPREAD_TICKS);
  const handles = new Float64Array(BATCH);
  return {
    implementation: 'TimerWheel', pending, opsPerIteration: BATCH,
    setup() {
      wheel = new TimerWheel();
      const deadlines = randomDeadlines(pending, 1, SPREAD_TICKS);
      for (let i = 0; i < pending; i++) wheel.schedule(deadlines[i], i);
    },
    iteration() {
      const startMs = performance.now();
      for (let i = 0; i < BATCH; i++) handles[i] = wheel.schedule(batchDeadlines[i], i);
      const elapsedMs = performance.now() - startMs;
      for (let i = 0; i < BATCH; i++) wheel.cancel(handles[i]);
      return elapsedMs;
    },
    teardown() { wheel = new TimerWheel(); },
  };
}

function heapCase(pending: number, name: HeapName = 'binary heap'): TimedCase {
  const make = HEAPS[name];
  let heap = make();
  const batchDeadlines = randomDeadlines(BATCH, 2, SPREAD_TICKS);
  const handles = new Float64Array(BATCH);
  return {
    implementation: name, pending, opsPerIteration: BATCH,
    setup() {
      heap = make();
      const deadlines = randomDeadlines(pending, 1, SPREAD_TICKS);
      for (let i = 0; i < pending; i++) heap.schedule(deadlines[i], i);
    },
    iteration() {
      const startMs = performance.now();
      for (let i = 0; i < BATCH; i++) handles[i] = heap.schedule(batchDeadlines[i], i);
      const elapsedMs = performance.now() - startMs;
      for (let i = 0; i < BATCH; i++) heap.cancel(handles[i]);
      return elapsedMs;
    },
    teardown() { heap = make(); },
  };
}

function noop(): void {}

function setTimeoutCase(pending: number): TimedCase {
  let resident: NodeJS.Timeout[] = [];
  const batch: NodeJS.Timeout[] = new Array<NodeJS.Timeout>(BATCH);
  const batchDeadlines = randomDeadlines(BATCH, 2, SPREAD_TICKS);
  return {
    implementation: 'setTimeout per timer', pending, opsPerIteration: BATCH,
    setup() {
      const deadlines = randomDeadlines(pending, 1, SPREAD_TICKS);
      resident = Array.from(deadlines, (deadline) => setTimeout(noop, TIMEOUT_OFFSET_MS + deadline));
    },
    iteration() {
      const startMs = performance.now();
      for (let i = 0; i < BATCH; i++) batch[i] = setTimeout(noop, TIMEOUT_OFFSET_MS + batchDeadlines[i]);
      const elapsedMs = performance.now() - startMs;
      for (let i = 0; i < BATCH; i++) clearTimeout(batch[i]);
      return elapsedMs;
    },
    teardown() {
      for (const timeout of resident) clearTimeout(timeout);
      resident = [];
    },
  };
}

async function run(): Promise<string> {
  const cases = SIZES.flatMap((pending) => [wheelCase(pending), heapCase(pending), heapCase(pending, 'flatqueue, lazy cancel'), setTimeoutCase(pending)]);
  const rows = await measure(cases);
  return [
    '### schedule',
    '',
    `Each sample times ${BATCH} schedules on top of the pending timers (deadlines uniform over ${SPREAD_TICKS / 1000} s); ` +
      'the batch is cancelled outside the timed region. setTimeout creates one Timeout per timer. ' +
      'flatqueue cancels lazily (the entry stays in its heap until popped), so its heap also grows by each cancelled batch, as it would in use.',
    '',
    renderTable(rows, 'schedules/s', TARGET_OPS_PER_SECOND),
    '',
  ].join('\n');
}

if (import.meta.main) console.log(await run());
