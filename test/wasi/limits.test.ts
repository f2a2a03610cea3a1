// What one call may hand the host (src/wasi/limits.ts): the poll list bound,
// checked by poll itself for guests the fairness pass did not instrument.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkPollList, MAX_POLL_LIST } from '../../src/wasi/limits.ts';
import { TimingHost } from '../../src/wasi/host.ts';
import { poll, type Pollable } from '../../src/wasi/poll.ts';
import { TimingRuntime } from '../../src/timing/timing-runtime.ts';
import { FakeClock, FakeTimer } from '../support/fake-time.ts';

test('checkPollList: up to MAX_POLL_LIST entries pass, more trap with the count', () => {
  assert.is(MAX_POLL_LIST, 65_536);
  checkPollList(1);
  checkPollList(MAX_POLL_LIST);
  assert.throws(() => checkPollList(MAX_POLL_LIST + 1), (e: Error) =>
    e.message === 'wasi trap: poll list of 65537 entries exceeds the limit of 65536 entries per call (a list may repeat a pollable, but not without bound)');
});

test('poll traps a list over the bound before it looks at a single entry', () => {
  const clock = new FakeClock();
  const runtime = new TimingRuntime({ clock, timer: new FakeTimer(clock) });
  const host = new TimingHost({ runtime, mode: 'sync' });
  let read = 0;
  const list = new Proxy({ length: 100_000_000 }, { get: (target, key) => (key === 'length' ? target.length : (read++, undefined)) }) as unknown as ArrayLike<Pollable>;
  assert.throws(() => poll(host, list), /^wasi trap: poll list of 100000000 entries exceeds the limit of 65536/);
  assert.is(read, 0);
});

test.run();
