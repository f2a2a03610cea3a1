// advance-and-fire: file `pending` timers untimed (deadlines uniform over the
// next 10 s), then time firing all of them. "stepping" advances to nextExpiry()
// again and again, as the scheduler's single host timer does; "one jump"
// advances once past the last deadline. Expirations/s are amortized over the
// whole drain, cascades and nextExpiry() included. setTimeout cannot be driven
// by a fake clock, so its row times firing `pending` already-due timers that
// share one duration (one Node timer list: its cheapest case).

import { TimerWheel } from '../src/wheel/wheel.ts';
import { type TimedCase, makeRandom, measure, renderTable } from './harness.ts';
import { FlatQueueTimers } from './peers/flatqueue-timers.ts';
import { HeapTimerQueue } from './peers/heap-queue.ts';

/** The two heap peers: hand-written (eager cancel) and flatqueue (lazy cancel). */
const HEAPS = {
  'binary heap': () => new HeapTimerQueue(),
  'flatqueue, lazy cancel': () => new FlatQueueTimers(),
} as const;
type HeapName = keyof typeof HEAPS;

export { run };

const SPREAD_TICKS = 10_000;
/** The dense case: the fleet case of 10,000 actors each sleeping 100 ms. */
const DENSE_SPREAD_TICKS = 100;
const SIZES = [10_000, 100_000];
const TARGET_EXPIRATIONS_PER_SECOND = 10e6;

let firedPayloadSum = 0;
function onExpire(payload: number): void {
  firedPayloadSum += payload;
}

function randomOffsets(count: number, spreadTicks: number): Float64Array {
  const random = makeRandom(1);
  const offsets = new Float64Array(count);
  for (let i = 0; i < count; i++) offsets[i] = 1 + Math.floor(random() * spreadTicks);
  return offsets;
}

function label(stepping: boolean, spreadTicks: number): string {
  return `${stepping ? 'stepping' : 'one jump'}${spreadTicks === SPREAD_TICKS ? '' : `, ${spreadTicks} ms spread`}`;
}

function wheelCase(pending: number, stepping: boolean, spreadTicks = SPREAD_TICKS): TimedCase {
  let wheel = new TimerWheel();
  const offsets = randomOffsets(pending, spreadTicks);
  return {
    implementation: `TimerWheel, ${label(stepping, spreadTicks)}`, pending, opsPerIteration: pending,
    setup() { wheel = new TimerWheel(); },
    iteration() {
      const baseTick = wheel.nowTick;
      for (let i = 0; i < pending; i++) wheel.schedule(baseTick + offsets[i], i);
      const startMs = performance.now();
      if (stepping) while (wheel.size > 0) wheel.advance(wheel.nextExpiry(), onExpire);
      else wheel.advance(baseTick + spreadTicks, onExpire);
      const elapsedMs = performance.now() - startMs;
      if (wheel.size !== 0) throw new Error('wheel not drained');
      return elapsedMs;
    },
    teardown() { wheel = new TimerWheel(); },
  };
}

function heapCase(pending: number, stepping: boolean, spreadTicks = SPREAD_TICKS, name: HeapName = 'binary heap'): TimedCase {
  const make = HEAPS[name];
  let heap = make();
  const offsets = randomOffsets(pending, spreadTicks);
  return {
    implementation: `${name}, ${label(stepping, spreadTicks)}`, pending, opsPerIteration: pending,
    setup() { heap = make(); },
    iteration() {
      const baseTick = heap.nowTick;
      for (let i = 0; i < pending; i++) heap.schedule(baseTick + offsets[i], i);
      const startMs = performance.now();
      if (stepping) while (heap.size > 0) heap.advance(heap.nextExpiry(), onExpire);
      else heap.advance(baseTick + spreadTicks, onExpire);
      const elapsedMs = performance.now() - startMs;
      if (heap.size !== 0) throw new Error('heap not drained');
      return elapsedMs;
    },
    teardown() { heap = make(); },
  };
}

function setTimeoutCase(pending: number): TimedCase {
  let remaining = 0;
  let lastFiredMs = 0;
  let drained: () => void = () => {};
  const onTimeout = (): void => {
    if (--remaining === 0) {
      lastFiredMs = performance.now();
      drained();
    }
  };
  return {
    implementation: 'setTimeout per timer, all due', pending, opsPerIteration: pending,
    setup() {},
    async iteration() {
      remaining = pending;
      const done = new Promise<void>((resolve) => { drained = resolve; });
      for (let i = 0; i < pending; i++) setTimeout(onTimeout, 1);
      // Busy-wait (untimed) until every timer is due, so the timed part is only firing.
      const dueMs = performance.now() + 3;
      while (performance.now() < dueMs);
      const startMs = performance.now();
      await done;
      return lastFiredMs - startMs;
    },
    teardown() {},
  };
}

async function run(): Promise<string> {
  const cases = SIZES.flatMap((pending) => [
    wheelCase(pending, true), wheelCase(pending, false),
    heapCase(pending, true), heapCase(pending, false),
    heapCase(pending, true, SPREAD_TICKS, 'flatqueue, lazy cancel'), heapCase(pending, false, SPREAD_TICKS, 'flatqueue, lazy cancel'),
    setTimeoutCase(pending),
    wheelCase(pending, true, DENSE_SPREAD_TICKS), heapCase(pending, true, DENSE_SPREAD_TICKS),
  ]);
  const rows = await measure(cases, { timeMs: 1000, warmupMs: 500, warmupIterations: 10 });
  return [
    '### advance-and-fire',
    '',
    `Each sample files the timers outside the timed region (deadlines uniform over ${SPREAD_TICKS / 1000} s), ` +
      'then times firing all of them: "stepping" calls advance(nextExpiry()) until empty, as the scheduler does; ' +
      `"one jump" advances once past the last deadline; the last rows per size crowd the same timers into ${DENSE_SPREAD_TICKS} ms. ` +
      'setTimeout rows time Node firing that many already-due ' +
      'timers sharing one duration (no fake clock can drive it).',
    '',
    renderTable(rows, 'expirations/s', TARGET_EXPIRATIONS_PER_SECOND),
    '',
  ].join('\n');
}

if (import.meta.main) console.log(await run());
