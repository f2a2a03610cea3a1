// The live continuation of a resumed actor, with a scripted hrtime: the clock
// rule across the gap (anchor + wall-clock downtime, never below a reading the
// actor was given), the Resumed record, and every call answered live in the
// live host's event forms; and the session handing over to it at the end of the
// recording (host events, a torn clamp record, an earlier resume's gap).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventRecorder } from '../../src/events/recorder.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { buildChain, formatChainJsonl } from '../../src/events/chain.ts';
import { recordingFromJsonl } from '../../src/replay/jsonl.ts';
import { LiveContinuation } from '../../src/replay/continue.ts';
import { ReplaySession } from '../../src/replay/session.ts';
import { replayImports, ReplayPollable } from '../../src/replay/replay-handler.ts';

const MS = 1_000_000n;
const wallNow = (): bigint => BigInt(Date.now()) * MS;

function recordingOf(events: TimingEvent[]) {
  return recordingFromJsonl(formatChainJsonl(buildChain(events)), { open: true }); // a durable log in progress: no ChainEnd yet
}

test('the clock carries on from the anchor by the wall clock, never below the last reading, and the Resumed record says so', () => {
  let hr = 1_000n;
  const recording = recordingOf([
    { type: 'HandlerSetupStart' },
    { type: 'MonotonicClockNow', instant: 500n * MS },
    { type: 'SubscribeDuration', duration: 100n * MS, pollable: 3, deadline: 600n * MS },
  ]);
  // The anchor says the run's clock read 0 one second ago (wall): the actor's clock is now ~1 s.
  const live = new LiveContinuation(recording, { monotonicNs: 0n, wallNs: wallNow() - 1000n * MS }, null, () => hr);
  const events = new EventRecorder();
  live.attach(events);
  const first = live.now();
  assert.ok(first >= 990n * MS && first < 2000n * MS, String(first));
  const resumed = events.events[0] as Extract<TimingEvent, { type: 'Resumed' }>;
  assert.is(resumed.type, 'Resumed');
  assert.is(resumed.last_seq, 2);
  assert.ok(resumed.downtime_ns >= 390n * MS, 'from the last instant the log shows (the subscribe at 500 ms) to now');
  hr += 5n;
  assert.is(live.now(), first + 5n);
  // A wall clock stepped far back: the reading holds, never goes backwards.
  const back = new LiveContinuation(recording, { monotonicNs: 0n, wallNs: wallNow() + 10_000n * MS }, null, () => hr);
  assert.is(back.nowNs(), 500n * MS);
  assert.ok(live.ready(3), 'the recorded deadline (600 ms) has passed while the host was down');
});

test('every call answered live, in the live host\'s event forms; clamps by the limits; a dropped pollable traps', async () => {
  const recording = recordingOf([{ type: 'HandlerSetupStart' }]);
  const live = new LiveContinuation(recording, { monotonicNs: 0n, wallNs: wallNow() }, { minNs: 2n * MS, maxNs: 50n * MS });
  const events = new EventRecorder();
  live.attach(events);
  assert.is(live.resolution(), 1n);
  assert.equal(live.wallResolution(), { seconds: 0n, nanoseconds: 1 });
  assert.ok(live.wallNow().seconds > 1_700_000_000n);
  const before = live.nowNs(); // read before the subscribe: its deadline counts from then, not from the block
  const short = live.subscribeDuration(0n);
  const long = live.subscribeDuration(3_600_000n * MS);
  const instant = live.subscribeInstant(live.nowNs() + 5n * MS);
  const past = live.subscribeInstant(0n);
  assert.equal([short, long, instant, past], [0, 1, 2, 3]);
  const types = events.events.map((e) => e.type);
  assert.equal(types, ['Resumed', 'MonotonicClockResolution', 'WallClockResolution', 'WallClockNow', 'SubscribeDuration', 'SleepClamped', 'SubscribeDuration', 'SleepClamped', 'SubscribeInstant', 'SubscribeInstant', 'SleepClamped']);
  await live.block(short);
  assert.ok(live.nowNs() >= before + 2n * MS - 1n, 'block waited for the clamped deadline');
  const indices = await live.poll([long, instant]);
  assert.equal([...indices], [1]);
  const poll = events.events.at(-1) as Extract<TimingEvent, { type: 'PollReady' }>;
  assert.equal([poll.type, poll.pollables, poll.indices], ['PollReady', [long, instant], [1]]);
  live.drop(long);
  assert.throws(() => live.ready(long), /wasi trap: pollable used after drop/);
  assert.is(live.ready(past), true);
  assert.is(live.ready(instant), true);
});

test('the session hands over at the end of the recording: host events and a torn clamp recorded live; an earlier gap replayed', async () => {
  const limits = { minNs: 1n * MS, maxNs: 10n * MS };
  // A log cut between a subscribe and its clamp record.
  const recording = recordingOf([
    { type: 'Resumed', last_seq: 0, downtime_ns: 1n, monotonic_base: 1n, wall_ns: 1n },
    { type: 'SubscribeDuration', duration: 100n * MS, pollable: 0, deadline: 200n * MS },
  ]);
  const live = new LiveContinuation(recording, { monotonicNs: 0n, wallNs: wallNow() }, limits);
  const session = new ReplaySession(recording, limits, live);
  const events = new EventRecorder();
  session.attach(events);
  const imports = replayImports(session) as Record<string, Record<string, (...args: never[]) => unknown>>;
  const monotonic = imports['wasi:clocks/monotonic-clock'];
  const pollable = (monotonic.subscribeDuration as (d: bigint) => ReplayPollable)(100n * MS);
  assert.ok(session.isLive);
  assert.equal(events.events.map((e) => e.type), ['Resumed', 'SubscribeDuration', 'SleepClamped']);
  session.host({ type: 'LinkerInstanceSuccess' });
  assert.is(pollable.ready(), false, 'its 200 ms deadline is ahead: it wakes at its original deadline');
  await pollable.block();
  const now = (monotonic.now as () => bigint)();
  assert.ok(now >= 200n * MS);
  (monotonic.resolution as () => bigint)();
  const wall = imports['wasi:clocks/wall-clock'];
  (wall.now as () => unknown)();
  (wall.resolution as () => unknown)();
  const other = (monotonic.subscribeInstant as (w: bigint) => ReplayPollable)(0n);
  const p2 = (monotonic.subscribeDuration as (d: bigint) => ReplayPollable)(8n * MS);
  const poll = imports['wasi:io/poll'].poll as (list: ReplayPollable[]) => Promise<Uint32Array>;
  // `other` is ready at once; p2 (8 ms) is too only when the loaded machine took that long to get here.
  const ready = [...await poll([other, p2])];
  assert.ok(ready.length === 1 ? ready[0] === 0 : ready.join() === '0,1', ready.join());
  pollable[Symbol.dispose]();
  const types = events.events.map((e) => e.type);
  assert.equal(types.slice(3), ['Resumed', 'LinkerInstanceSuccess', 'PollableReady', 'PollableBlock', 'MonotonicClockNow', 'MonotonicClockResolution', 'WallClockNow', 'WallClockResolution', 'SubscribeInstant', 'SleepClamped', 'SubscribeDuration', 'PollReady', 'PollableDrop']);
  assert.is(session.finish({ status: 'ok' }), null);
});

test.run();
