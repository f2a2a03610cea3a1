// HoldMeter (src/thread/hold.ts), the slice's turn count, and how the yield
// imports use them, on a hand-driven slice: no real time passes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_HOLD_MS, HoldMeter } from '../../src/thread/hold.ts';
import { EventLoopSlice } from '../../src/thread/slice.ts';
import { RunMeter } from '../../src/thread/run-meter.ts';
import { yieldImports } from '../../src/component/yield-imports.ts';

function fakeSlice() {
  const time = { ms: 0 };
  const turns: Array<() => void> = [];
  const slice = new EventLoopSlice({ nowMs: () => time.ms, defer: (callback) => turns.push(callback) });
  const turn = () => {
    for (const callback of turns.splice(0)) callback();
  };
  return { time, slice, turn };
}

test('slice.turn counts the turns the slice saw begin', () => {
  const { slice, turn } = fakeSlice();
  assert.is(slice.turn, 0);
  slice.expired(0);
  slice.expired(1);
  assert.is(slice.turn, 1);
  turn();
  assert.is(slice.turn, 1, 'a turn begins at the first expired() after the loop ran');
  slice.expired(2);
  assert.is(slice.turn, 2);
});

test('HoldMeter: a hold starts at the first check, ends at release or at a new turn, and traps past the limit', () => {
  const { time, slice, turn } = fakeSlice();
  const hold = new HoldMeter('a\u0007b', slice);
  assert.is(DEFAULT_MAX_HOLD_MS, 200);
  hold.check(time.ms = 10);
  hold.check(time.ms = 210);
  assert.throws(() => hold.check(time.ms = 211), (e: Error) =>
    e.message === 'wasi trap: actor "a\\x07b" held the thread for 201 ms in cabi_realloc or a post-return function, which the host calls synchronously, where it cannot yield to other actors (at most 200 ms: max_hold_ms)');
  hold.release();
  hold.check(time.ms = 300);
  hold.check(time.ms = 450);
  turn(); // the loop ran: whatever was held before was given back
  hold.check(time.ms = 460);
  hold.check(time.ms = 600);
  hold.starting = true;
  assert.throws(() => hold.check(time.ms = 661), /^wasi trap: actor "a\\x07b" held the thread for 201 ms in its start function, while it was instantiated, /);
});

test('HoldMeter: the limit is read at each check; 0 means none', () => {
  const { time, slice } = fakeSlice();
  let limit = 0;
  const hold = new HoldMeter('x', slice, () => limit);
  hold.check(time.ms = 0);
  hold.check(time.ms = 1e6);
  limit = 50;
  assert.throws(() => hold.check(time.ms = 1e6 + 1), /at most 50 ms: max_hold_ms/);
});

test('yieldImports: code that cannot suspend is held to the limit under JSPI, in sync mode only while starting', () => {
  const { slice } = fakeSlice();
  const clock = { ms: 0 };
  const realNow = performance.now;
  performance.now = () => clock.ms;
  try {
    const jspiHold = new HoldMeter('j', slice, () => 100);
    const jspi = yieldImports('jspi', new RunMeter('j'), slice, jspiHold);
    jspi.check(0);
    clock.ms = 90;
    jspi.check(1); // back in code that may suspend: the hold ends
    clock.ms = 150;
    jspi.check(0);
    clock.ms = 249;
    jspi.check(0);
    clock.ms = 251;
    assert.throws(() => jspi.check(0), /held the thread for 101 ms/);
    const syncHold = new HoldMeter('s', slice, () => 100);
    const sync = yieldImports('sync', null, slice, syncHold);
    sync.check(0);
    clock.ms = 1_000;
    assert.is(sync.check(0), 0, 'a sync-mode call holds the thread by design: max_cpu_ms bounds it');
    syncHold.starting = true;
    sync.check(0);
    clock.ms = 1_101;
    assert.throws(() => sync.check(0), /in its start function/);
    assert.throws(() => sync['poll-limit'](70_000), /^wasi trap: poll list of 70000 entries exceeds the limit of 65536 entries per call/);
    assert.throws(() => jspi['poll-limit'](-1), /poll list of 4294967295 entries/);
  } finally {
    performance.now = realNow;
  }
});

test('RunMeter: a budget the actor did not ask for says why in its trap', () => {
  const clock = { ms: 0 };
  const meter = new RunMeter('v', () => clock.ms);
  meter.limitMs = 10;
  meter.limitReason = 'the default here';
  meter.begin();
  clock.ms = 11;
  assert.throws(() => meter.check(), (e: Error) => e.message === 'wasi trap: cpu budget exceeded: actor "v" ran 11 ms in one call, not counting waits (max_cpu_ms 10: the default here)');
});

test.run();
