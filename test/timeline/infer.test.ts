// Time inference from the clock values a chain holds (src/timeline/infer.ts),
// through our JSON Lines adapter: every rule, checked on hand-made chains.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, formatChainJsonl } from '../../src/events/chain.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { inferActor } from '../../src/timeline/infer.ts';
import { fromJsonl } from '../../src/timeline/jsonl-adapter.ts';
import { withChainEnd } from './fixtures.ts';

const T = 1_000_000_000n; // an arbitrary monotonic origin
const ms = (n: number): bigint => BigInt(Math.round(n * 1e6));
/** A chain as writers before PollReady.pollables wrote it. */
const withoutPollables = (text: string): string => text.trim().split('\n').map((l) => {
  const line = JSON.parse(l) as { event: Record<string, unknown> };
  delete line.event.pollables;
  return JSON.stringify(line);
}).join('\n');
const infer = (events: TimingEvent[], end?: [string, string], old = false) => {
  let text = formatChainJsonl(buildChain(events));
  if (old) text = withoutPollables(text);
  if (end !== undefined) text = withChainEnd(text, end[0], end[1]);
  return inferActor(fromJsonl(text, 'x.jsonl')[0]);
};

test('now is its reading; subscribe-duration is deadline - duration; block ends at start + waited, late by end - deadline', () => {
  const a = infer([
    { type: 'HandlerSetupStart' },
    { type: 'MonotonicClockNow', instant: T },
    { type: 'SubscribeDuration', duration: ms(10), pollable: 0, deadline: T + ms(12) },
    { type: 'PollableBlock', pollable: 0, waited: ms(10.5) },
    { type: 'PollableDrop', pollable: 0 },
  ]);
  assert.equal(a.timesNs, [T, T, T + ms(2), T + ms(12.5), T + ms(12.5)]);
  assert.equal(a.sources, ['backfilled', 'reading', 'deadline', 'waited', 'carried']);
  assert.is(a.bars.length, 1);
  const [bar] = a.bars;
  assert.equal([bar.startNs, bar.deadlineNs, bar.endNs, bar.endedBy, bar.latenessNs], [T + ms(2), T + ms(12), T + ms(12.5), 'block', ms(0.5)]);
  assert.equal([bar.requestedNs, bar.appliedNs], [ms(10), ms(10)]);
  assert.equal(a.wakes.map((w) => [w.atNs, w.latenessNs]), [[T + ms(12.5), ms(0.5)]]);
  assert.is(a.outcome, null);
});

test('a clamp gives the applied delay and the requested one; subscribe-instant uses it too', () => {
  const a = infer([
    { type: 'SubscribeDuration', duration: 0n, pollable: 0, deadline: T + ms(1) },
    { type: 'SleepClamped', requested: 0n, applied: ms(1), reason: 'min_sleep_duration' },
    { type: 'SubscribeInstant', when: T + ms(5000), pollable: 1, deadline: T + ms(3) },
    { type: 'SleepClamped', requested: ms(4000), applied: ms(2), reason: 'max_sleep_duration' },
  ]);
  assert.equal(a.timesNs, [T, T, T + ms(1), T + ms(1)]);
  assert.equal(a.bars.map((b) => [b.requestedNs, b.appliedNs, b.clamp?.type, b.endedBy]), [
    [0n, ms(1), 'SleepClamped', 'open'],
    [ms(4000), ms(2), 'SleepClamped', 'open'],
  ]);
  // Open bars end at the chain's last time.
  assert.equal(a.bars.map((b) => b.endNs), [T + ms(1), T + ms(1)]);
});

test('subscribe-instant: deadline = when gives no time; a past instant (deadline = now) does', () => {
  const a = infer([
    { type: 'MonotonicClockNow', instant: T },
    { type: 'SubscribeInstant', when: T + ms(50), pollable: 0, deadline: T + ms(50) },
    { type: 'SubscribeInstant', when: T - ms(1), pollable: 1, deadline: T + ms(3) },
  ]);
  assert.equal(a.sources, ['reading', 'carried', 'deadline']);
  assert.equal(a.timesNs, [T, T, T + ms(3)]);
  assert.equal(a.bars.map((b) => [b.requestedNs, b.appliedNs]), [[ms(50), ms(50)], [-ms(4), 0n]]);
});

test('ready() = true means at least the deadline and ends the bar; false ends nothing', () => {
  const a = infer([
    { type: 'MonotonicClockNow', instant: T },
    { type: 'SubscribeDuration', duration: ms(5), pollable: 3, deadline: T + ms(5) },
    { type: 'PollableReady', pollable: 3, ready: false },
    { type: 'PollableReady', pollable: 3, ready: true },
    { type: 'PollableReady', pollable: 3, ready: true },
    { type: 'PollableDrop', pollable: 3 },
    { type: 'PollableReady', pollable: 9, ready: true },
  ]);
  assert.equal(a.sources.slice(2), ['carried', 'ready', 'carried', 'carried', 'carried']);
  assert.equal(a.timesNs[3], T + ms(5));
  assert.equal([a.bars[0].endedBy, a.bars[0].end?.index], ['ready', 3]);
  assert.is(a.wakes.length, 0);
});

test('poll without the polled list: ready pollables told apart end their bars with lateness; ambiguous ones do not', () => {
  const a = infer([
    { type: 'MonotonicClockNow', instant: T },
    { type: 'SubscribeDuration', duration: ms(10), pollable: 0, deadline: T + ms(10) },
    { type: 'SubscribeDuration', duration: ms(20), pollable: 1, deadline: T + ms(20) },
    { type: 'PollReady', pollables: [0, 1], ready_count: 1, indices: [0], waited: ms(10.25) },
    { type: 'SubscribeDuration', duration: ms(1), pollable: 2, deadline: T + ms(11.25) },
    // Both 1 and 2 are ready at 20 ms, but only one index came back: which one is unknown.
    { type: 'PollReady', pollables: [1, 2], ready_count: 1, indices: [1], waited: ms(9.75) },
    { type: 'PollReady', pollables: [1], ready_count: 1, indices: [0], waited: 0n },
  ], undefined, true);
  assert.equal(a.bars.map((b) => [b.endedBy, b.latenessNs]), [['poll', ms(0.25)], ['open', null], ['open', null]]);
  assert.equal(a.wakes.map((w) => [w.atNs, w.latenessNs]), [[T + ms(10.25), ms(0.25)], [T + ms(20), null]]);
});

test('poll with the polled list recorded: the ready ones are known even when more are due', () => {
  const text = [
    { type: 'MonotonicClockNow', instant: String(T) },
    { type: 'SubscribeDuration', duration: String(ms(1)), pollable: 0, deadline: String(T + ms(1)) },
    { type: 'SubscribeDuration', duration: String(ms(2)), pollable: 1, deadline: String(T + ms(2)) },
    { type: 'PollReady', pollables: [1], ready_count: 1, indices: [0], waited: String(ms(2.5)) },
  ].map((event, seq) => JSON.stringify({ seq, parent: null, hash: '', handler: 'timing', event })).join('\n');
  const a = inferActor(fromJsonl(text, 'p.jsonl')[0]);
  assert.equal(a.bars.map((b) => [b.endedBy, b.latenessNs]), [['open', null], ['poll', ms(0.5)]]);
  assert.equal(a.wakes.map((w) => w.latenessNs), [ms(0.5)]);
});

test('a slot reused without a drop ends the old bar there; ChainEnd gives the outcome', () => {
  const a = infer([
    { type: 'MonotonicClockNow', instant: T },
    { type: 'SubscribeDuration', duration: ms(1), pollable: 0, deadline: T + ms(1) },
    { type: 'MonotonicClockNow', instant: T + ms(4) },
    { type: 'SubscribeDuration', duration: ms(1), pollable: 0, deadline: T + ms(5) },
  ], ['diverged', 'event 3: expected MonotonicClockNow']);
  assert.equal(a.bars.map((b) => [b.startNs, b.endNs, b.endedBy]), [[T, T + ms(4), 'open'], [T + ms(4), T + ms(4), 'open']]);
  assert.equal([a.outcome, a.message], ['diverged', 'event 3: expected MonotonicClockNow']);
});

test('a chain with no clock value has no times', () => {
  const a = infer([{ type: 'HandlerSetupStart' }, { type: 'PollableReady', pollable: 0, ready: true }], ['trap', 'wasi trap: x']);
  assert.equal(a.timesNs, [null, null, null]);
  assert.equal(a.sources, ['none', 'none', 'none']);
  assert.is(a.outcome, 'trap');
});

test.run();
