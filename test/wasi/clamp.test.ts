import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clampSleep, delayUntil } from '../../src/wasi/clamp.ts';

const MS = 1_000_000n;
const limits = { minNs: 1n * MS, maxNs: 3_600_000n * MS };

const clamp = suite('clampSleep');

clamp('sweeps both boundaries +-1', () => {
  const cases = [
    [0n, MS, 'min_sleep_duration'],
    [MS - 1n, MS, 'min_sleep_duration'],
    [MS, MS, null],
    [MS + 1n, MS + 1n, null],
    [limits.maxNs - 1n, limits.maxNs - 1n, null],
    [limits.maxNs, limits.maxNs, null],
    [limits.maxNs + 1n, limits.maxNs, 'max_sleep_duration'],
    [(1n << 64n) - 1n, limits.maxNs, 'max_sleep_duration'],
  ] as const;
  for (const [requestedNs, appliedNs, reason] of cases) {
    assert.equal(clampSleep(requestedNs, limits), { appliedNs, reason }, `requested ${requestedNs}`);
  }
});

clamp('a negative request (a past instant) counts as 0 and is clamped up to min', () => {
  assert.equal(clampSleep(-5n, limits), { appliedNs: MS, reason: 'min_sleep_duration' });
});

clamp('with min 0, zero and negative requests apply 0 without a clamp', () => {
  const open = { minNs: 0n, maxNs: 10n };
  assert.equal(clampSleep(0n, open), { appliedNs: 0n, reason: null });
  assert.equal(clampSleep(-1n, open), { appliedNs: 0n, reason: null });
  assert.equal(clampSleep(11n, open), { appliedNs: 10n, reason: 'max_sleep_duration' });
});

clamp('min == max pins every request', () => {
  const pinned = { minNs: 5n, maxNs: 5n };
  assert.equal([4n, 5n, 6n].map((r) => clampSleep(r, pinned)), [
    { appliedNs: 5n, reason: 'min_sleep_duration' },
    { appliedNs: 5n, reason: null },
    { appliedNs: 5n, reason: 'max_sleep_duration' },
  ]);
});

clamp.run();

const delay = suite('delayUntil');

delay('future, now and past instants', () => {
  assert.is(delayUntil(101n, 100n), 1n);
  assert.is(delayUntil(100n, 100n), 0n);
  assert.is(delayUntil(99n, 100n), 0n);
  assert.is(delayUntil(0n, (1n << 64n) - 1n), 0n);
});

delay('subscribe-instant policy: a past instant still waits min', () => {
  assert.equal(clampSleep(delayUntil(50n, 100n), limits), { appliedNs: MS, reason: 'min_sleep_duration' });
  assert.equal(clampSleep(delayUntil(100n + 2n * MS, 100n), limits), { appliedNs: 2n * MS, reason: null });
});

delay.run();
