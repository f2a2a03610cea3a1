// Admission (src/thread/admission.ts) on a hand-driven slice: no real time passes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Admission } from '../../src/thread/admission.ts';
import { Thread } from '../../src/thread/thread.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { EventLoopSlice } from '../../src/thread/slice.ts';

/** A slice on a fake ms clock whose "next turn" callbacks run when the test says. */
function fakeSlice(sliceMs = 5) {
  const time = { ms: 0 };
  const turns: Array<() => void> = [];
  const slice = new EventLoopSlice({ sliceMs, nowMs: () => time.ms, defer: (callback) => turns.push(callback) });
  /** The loop turns: everything deferred so far runs, then its microtasks. */
  const turn = async (): Promise<void> => {
    for (const callback of turns.splice(0)) callback();
    await settle();
  };
  return { time, slice, turn };
}

/** Lets every queued microtask (and those they queue) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** An entry as Actor.init makes it: enter, run the guest's synchronous part, leave. */
async function entry(admission: Admission, run: () => void): Promise<void> {
  const admitted = admission.enter();
  if (admitted !== undefined) await admitted;
  try {
    run();
  } finally {
    admission.leave();
  }
}

test('calls enter at once while the slice lasts; past it they queue, FIFO, and go in from the next turn', async () => {
  const { time, slice, turn } = fakeSlice(5);
  const admission = new Admission(slice);
  const ran: number[] = [];
  const calls = Array.from({ length: 6 }, (_, i) => entry(admission, () => { ran.push(i); time.ms += 2; }));
  await settle();
  // 0 (0 ms), 1 (2 ms), 2 (4 ms) enter; at 6 ms the slice is used up: 3, 4, 5 wait.
  assert.equal(ran, [0, 1, 2]);
  assert.is(admission.waiting, 3);
  await turn();
  assert.equal(ran, [0, 1, 2, 3, 4, 5], 'a new turn: a new slice, in the order they asked');
  assert.is(admission.waiting, 0);
  await Promise.all(calls);
});

test('each admitted call goes in only after the previous one left, behind what that one queued', async () => {
  const { time, slice, turn } = fakeSlice(5);
  const admission = new Admission(slice);
  const log: string[] = [];
  time.ms = 0;
  void entry(admission, () => { time.ms += 6; log.push('a'); });
  await settle();
  const b = entry(admission, () => { log.push('b'); queueMicrotask(() => log.push('woken by b')); });
  const c = entry(admission, () => log.push('c'));
  await settle();
  assert.equal(log, ['a'], 'the slice is used up: b and c wait for the next turn');
  await turn();
  await Promise.all([b, c]);
  assert.equal(log, ['a', 'b', 'woken by b', 'c'], 'what b woke runs before c enters');
});

test('at least one call enters per turn, however long other work held the thread', async () => {
  const { time, slice, turn } = fakeSlice(5);
  const admission = new Admission(slice);
  const ran: number[] = [];
  // Every entry uses the whole slice, and other work uses it too before the pump runs.
  const calls = Array.from({ length: 3 }, (_, i) => entry(admission, () => { ran.push(i); time.ms += 10; }));
  await settle();
  assert.equal(ran, [0]);
  for (let expected = 2; expected <= 3; expected++) {
    slice.expired(); // other work starts the turn…
    time.ms += 10; // …and uses it all
    await turn();
    assert.is(ran.length, expected, 'one more per turn');
  }
  await Promise.all(calls);
  assert.is(admission.waiting, 0);
});

test('a call that arrives while an admitted one runs queues behind it; a throwing guest still lets the next in', async () => {
  const { time, slice, turn } = fakeSlice(5);
  const admission = new Admission(slice);
  const log: string[] = [];
  time.ms = 0;
  void entry(admission, () => { time.ms += 6; });
  await settle();
  const failing = entry(admission, () => {
    log.push('x');
    void entry(admission, () => log.push('late'));
    throw new Error('guest trapped');
  });
  const after = entry(admission, () => log.push('y'));
  await turn();
  await failing.then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'guest trapped'));
  await after;
  await settle();
  assert.equal(log, ['x', 'y', 'late']);
  assert.is(admission.waiting, 0);
});

test('an idle admission schedules nothing; each runtime has its own thread', async () => {
  const { slice } = fakeSlice(5);
  let deferred = 0;
  const counting = new EventLoopSlice({ sliceMs: 5, nowMs: () => 0, defer: () => { deferred++; } });
  const admission = new Admission(counting);
  assert.is(admission.enter(), undefined);
  admission.leave();
  assert.is(deferred, 1, 'only the slice\'s own end-of-turn mark');
  assert.ok(new Admission(slice).enter() === undefined);
  const a = new TimingRuntime(), b = new TimingRuntime();
  assert.ok(a.thread !== b.thread && a.thread.admission !== b.thread.admission, 'two runtimes keep apart');
  let nowMs = 7;
  const thread = new Thread({ sliceMs: 5, nowMs: () => nowMs, defer: () => {} });
  assert.is(thread.busy, false);
  assert.is(thread.meter('x').actorId, 'x');
  assert.is(thread.admission.enter(), undefined, 'the slice has just begun');
  nowMs = 12;
  void thread.admission.enter();
  assert.is(thread.busy, true, 'a queued call makes the thread busy');
});

test.run();
