import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WallClock, systemWallSource } from '../../src/clock/wall-clock.ts';
import { jspiAvailable, resolveMode } from '../../src/wasi/mode.ts';

function fake(dateMs: number, hrNs: bigint) {
  const source = { dateMs, hrNs, dateNowMs: () => source.dateMs, hrtimeNs: () => source.hrNs };
  return source;
}

test('sub-millisecond precision while hrtime agrees with Date.now()', () => {
  const src = fake(1_000, 50n);
  const wall = new WallClock(src);
  assert.is(wall.nowNs(), 1_000_000_000n); // first reading anchors on Date.now()
  src.hrNs += 250_500n;
  assert.is(wall.nowNs(), 1_000_250_500n);
  src.dateMs = 1_001;
  src.hrNs += 800_000n;
  assert.is(wall.nowNs(), 1_001_050_500n);
});

test('re-anchors when the system clock steps or hrtime drifts out of the millisecond', () => {
  const src = fake(1_000, 0n);
  const wall = new WallClock(src);
  wall.nowNs();
  src.dateMs = 5_000_000; // NTP step forward
  src.hrNs += 10n;
  assert.is(wall.nowNs(), 5_000_000_000_000n);
  src.dateMs = 4_000_000; // and backward: the wall clock is not monotonic
  src.hrNs += 10n;
  assert.is(wall.nowNs(), 4_000_000_000_000n);
  src.hrNs += 3_000_000n; // hrtime ran 3 ms while Date.now() did not move: re-anchor
  assert.is(wall.nowNs(), 4_000_000_000_000n);
});

test('a new anchor takes its sub-millisecond part from the precise estimate when it agrees', () => {
  const src = { ...fake(2_000, 0n), precise: 2_000.25, preciseMs: () => src.precise };
  src.dateNowMs = () => src.dateMs;
  src.hrtimeNs = () => src.hrNs;
  const wall = new WallClock(src);
  assert.is(wall.nowNs(), 2_000_250_000n);
  src.hrNs += 100n;
  assert.is(wall.nowNs(), 2_000_250_100n);
  src.dateMs = 9_000; // step: the estimate (still near 2 000 ms) disagrees, so the anchor is Date.now()
  assert.is(wall.nowNs(), 9_000_000_000n);
});

test('a real wall clock gives sub-ms readings', () => {
  const wall = new WallClock();
  const samples = Array.from({ length: 50 }, () => wall.now().nanoseconds % 1_000_000);
  assert.ok(samples.some((ns) => ns !== 0), 'some reading has a sub-millisecond part');
});

test('now() splits one reading into seconds and nanoseconds < 1e9', () => {
  const src = fake(1_700_000_000_999, 0n);
  const wall = new WallClock(src);
  src.hrNs = 0n;
  const t = wall.now();
  assert.equal(t, { seconds: 1_700_000_000n, nanoseconds: 999_000_000 });
  const real = new WallClock(systemWallSource).now();
  assert.ok(real.nanoseconds >= 0 && real.nanoseconds < 1e9);
  assert.ok(real.seconds > 1_600_000_000n);
});

test('mode: JSPI when available, sync on request or when missing', () => {
  assert.is(resolveMode('sync', true), 'sync');
  assert.is(resolveMode('auto', true), 'jspi');
  assert.is(resolveMode('auto', false, () => {}), 'sync');
  assert.is(resolveMode('jspi', true), 'jspi');
  assert.throws(() => resolveMode('jspi', false), /mode "jspi" was requested.*Node >= 24.21/);
  assert.is(resolveMode(), jspiAvailable ? 'jspi' : 'sync');
  assert.ok(jspiAvailable, 'the pinned Node 26 has JSPI');
});

test.run();
