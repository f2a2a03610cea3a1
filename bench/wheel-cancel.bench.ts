// cancel(): schedule BATCH timers untimed on top of `pending` ones (deadlines
// uniform over the next minute), then time cancelling them in shuffled order.

import { TimerWheel } from '../src/wheel/wheel.ts';
import { type TimedCase, makeRandom, measure, randomDeadlines, renderTable } from './harness.ts';
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
const TARGET_OPS_PER_SECOND = 20e6;
const TIMEOUT_OFFSET_MS = 600_000;

/** A fixed random permutation of 0..count-1: cancels do not follow scheduling order. */
function shuffledOrder(count: number): Int32Array {
  const random = makeRandom(3);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function wheelCase(pending: number): TimedCase {
  let wheel = new TimerWheel();
  const batchDeadlines = randomDeadlines(BATCH, 2, SPREAD_TICKS);
  const order = shuffledOrder(BATCH);
  const handles = new Float64Array(BATCH);
  return {
    implementation: 'TimerWheel', pending, opsPerIteration: BATCH,
    setup() {
      wheel = new TimerWheel();
      const deadlines = randomDeadlines(pending, 1, SPREAD_TICKS);
      for (let i = 0; i < pending; i++) wheel.schedule(deadlines[i], i);
    },
    iteration() {
      for (let i = 0; i < BATCH; i++) handles[order[i]] = wheel.schedule(batchDeadlines[i], i);
      const startMs = performance.now();
      for (let i = 0; i < BATCH; i++) wheel.cancel(handles[i]);
      return performance.now() - startMs;
    },
    teardown() { wheel = new TimerWheel(); },
  };
}

function heapCase(pending: number, name: HeapName = 'binary heap'): TimedCase {
  const make = HEAPS[name];
  let heap = make();
  const batchDeadlines = randomDeadlines(BATCH, 2, SPREAD_TICKS);
  const order = shuffledOrder(BATCH);
  const handles = new Float64Array(BATCH);
  return {
    implementation: name, pending, opsPerIteration: BATCH,
    setup() {
      heap = make();
      const deadlines = randomDeadlines(pending, 1, SPREAD_TICKS);
      for (let i = 0; i < pending; i++) heap.schedule(deadlines[i], i);
    },
    iteration() {
      for (let i = 0; i < BATCH; i++) handles[order[i]] = heap.schedule(batchDeadlines[i], i);
      const startMs = performance.now();
      for (let i = 0; i < BATCH; i++) heap.cancel(handles[i]);
      return performance.now() - startMs;
    },
    teardown() { heap = make(); },
  };
}

function noop(): void {}

function setTimeoutCase(pending: number): TimedCase {
  let resident: NodeJS.Timeout[] = [];
  const batch: NodeJS.Timeout[] = new Array<NodeJS.Timeout>(BATCH);
  const batchDeadlines = randomDeadlines(BATCH, 2, SPREAD_TICKS);
  const order = shuffledOrder(BATCH);
  return {
    implementation: 'setTimeout per timer', pending, opsPerIteration: BATCH,
    setup() {
      const deadlines = randomDeadlines(pending, 1, SPREAD_TICKS);
      resident = Array.from(deadlines, (deadline) => setTimeout(noop, TIMEOUT_OFFSET_MS + deadline));
    },
    iteration() {
      for (let i = 0; i < BATCH; i++) batch[order[i]] = setTimeout(noop, TIMEOUT_OFFSET_MS + batchDeadlines[i]);
      const startMs = performance.now();
      for (let i = 0; i < BATCH; i++) clearTimeout(batch[i]);
      return performance.now() - startMs;
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
    '### cancel',
    '',
    `Each sample schedules ${BATCH} timers outside the timed region, then times cancelling them in shuffled order ` +
      `(deadlines uniform over ${SPREAD_TICKS / 1000} s). setTimeout uses clearTimeout. flatqueue has no remove: its cancel is a Map delete, ` +
      'and the entry stays in the heap (see the timeout workload below for what that retains).',
    '',
    renderTable(rows, 'cancels/s', TARGET_OPS_PER_SECOND),
    '',
  ].join('\n');
}

if (import.meta.main) console.log(await run());
