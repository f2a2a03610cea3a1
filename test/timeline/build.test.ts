// The model builder: format detection, lanes, bars and marks, and the fleet
// view (lane selection, lateness histogram, wake-up times) above 200 actors.
import { test } from 'uvu';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { buildChain, formatChainJsonl } from '../../src/events/chain.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { buildTimeline, detectFormat, FLEET_LANES, readChains } from '../../src/timeline/build.ts';
import { TimelineInputError } from '../../src/timeline/calls.ts';
import { fleetView, latenessStats, MAX_WAKE_TIMES } from '../../src/timeline/fleet.ts';
import type { InferredActor } from '../../src/timeline/infer.ts';
import { fleetChainText, fleetLatenessNs, hostCall, theaterChain, withChainEnd } from './fixtures.ts';

const T = 7_000_000_000n;
const jsonl = (events: TimingEvent[]): string => formatChainJsonl(buildChain(events));
const tag = (text: string, instance: number): string => text.trim().split('\n').map((l) => JSON.stringify({ ...JSON.parse(l), instance })).join('\n') + '\n';

test('formats are told apart by content; errors carry the file name', () => {
  assert.is(detectFormat('  [{}]'), 'theater');
  assert.is(detectFormat('\n{"seq":0}'), 'jsonl');
  assert.throws(() => detectFormat(' \n'), /the file is empty/);
  assert.throws(() => detectFormat('seq 0'), /got text starting with "s"/);
  assert.throws(() => readChains({ name: 'a.jsonl', text: '{"seq":0' }), (e: unknown) => e instanceof TimelineInputError && /^a\.jsonl: line 1: JSON: /.test(e.message));
  assert.throws(() => readChains({ name: 'b.txt', text: 'x' }), (e: unknown) => e instanceof TimelineInputError && /^b\.txt: expected a JSON Lines chain/.test(e.message));
});

test('a file is read a record at a time, with the same chains as its text; its read errors carry the file name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'timeline-read-'));
  try {
    const ours = withChainEnd(jsonl([{ type: 'MonotonicClockNow', instant: T }]), 'ok', '');
    const theater = theaterChain([hostCall('wasi:clocks/monotonic-clock@0.2.3', 'now', '{"Tuple":[]}', `{"U64":${T}}`)]);
    for (const [file, text] of [['a.jsonl', ours], ['b.chain.json', theater]]) {
      writeFileSync(join(dir, file), text);
      assert.equal(readChains({ name: file, path: join(dir, file) }), readChains({ name: file, text }), file);
    }
    writeFileSync(join(dir, 'c.jsonl'), Buffer.concat([Buffer.from(`${ours.split('\n')[0]}\n`), Buffer.from([0xff, 0x0a])]));
    assert.throws(() => readChains({ name: 'c.jsonl', path: join(dir, 'c.jsonl') }), /^c\.jsonl: line 2: line: not valid UTF-8$/);
    writeFileSync(join(dir, 'e.jsonl'), '');
    assert.throws(() => readChains({ name: 'e.jsonl', path: join(dir, 'e.jsonl') }), /^e\.jsonl: the file is empty$/);
    assert.throws(() => readChains({ name: 'none', path: join(dir, 'none') }), /^none: cannot read \(ENOENT\)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one actor: a lane with a bar per subscription on stacked rows, a mark per other event, the wall clock at x = 0', () => {
  const text = withChainEnd(jsonl([
    { type: 'HandlerSetupStart' },
    { type: 'MonotonicClockNow', instant: T },
    { type: 'SubscribeDuration', duration: 50_000_000n, pollable: 0, deadline: T + 50_000_000n },
    { type: 'SubscribeDuration', duration: 10_000_000n, pollable: 1, deadline: T + 10_000_000n },
    { type: 'SleepClamped', requested: 10_000_000n, applied: 10_000_000n, reason: 'min_sleep_duration' },
    { type: 'PollReady', pollables: [0, 1], ready_count: 1, indices: [1], waited: 10_500_000n },
    { type: 'WallClockNow', seconds: 1_790_000_000n, nanoseconds: 500_000_000 },
    { type: 'PollableDrop', pollable: 1 },
    { type: 'SubscribeDuration', duration: 1_000_000n, pollable: 1, deadline: T + 11_500_000n },
  ]), 'ok', '');
  const model = buildTimeline([{ name: 'one.jsonl', text }]);
  assert.equal([model.title, model.format, model.originNs, model.spanNs, model.actorCount, model.eventCount], ['one.jsonl', 'jsonl', String(T), 10_500_000, 1, 10]);
  assert.equal(model.outcomes, { ok: 1, err: 0, trap: 0, diverged: 0, unknown: 0 });
  assert.is(model.wallAtOrigin, new Date(1_790_000_000_500 - 10.5).toISOString());
  assert.is(model.fleet, null);
  assert.is(model.laneSelection, null);
  const [lane] = model.lanes;
  assert.equal(lane.bars.map((b) => [b.pollable, b.row, b.startNs, b.endNs, b.endedBy, b.clampReason]), [
    [0, 0, 0, 10_500_000, 'open', null], // an open bar ends with the chain
    [1, 1, 0, 10_500_000, 'poll', 'min_sleep_duration'],
    [1, 0, 10_500_000, 10_500_000, 'open', null],
  ]);
  assert.is(lane.rows, 2);
  assert.equal(lane.marks.map((m) => [m.kind, m.note]), [['other', ''], ['clock', ''], ['clamp', 'min_sleep_duration'], ['poll', '[1]'], ['clock', ''], ['drop', ''], ['ok', '']]);
  assert.is(lane.maxLatenessNs, 500_000);
  assert.equal(lane.bars[1].subscribe.index, 3);
  assert.equal(lane.bars[1].end?.type, 'PollReady');
});

test('a replay divergence is marked at the event its message names, else at the chain end', () => {
  const events: TimingEvent[] = [
    { type: 'MonotonicClockNow', instant: T },
    { type: 'MonotonicClockNow', instant: T + 4_000_000n },
    { type: 'MonotonicClockNow', instant: T + 9_000_000n },
  ];
  const at = (message: string): number => {
    const model = buildTimeline([{ name: 'r.jsonl', text: withChainEnd(jsonl(events), 'diverged', message) }]);
    return model.lanes[0].marks.find((m) => m.kind === 'diverged')?.event.tNs ?? -1;
  };
  assert.is(at('replay diverged at event 1: recorded MonotonicClockNow, actual poll'), 4_000_000);
  assert.is(at('replay diverged at event 99: recorded outcome ok, actor trapped'), 9_000_000);
  assert.is(at('diverged somewhere'), 9_000_000);
});

test('the synthetic fleet file is a valid chain file, as verify sees it', () => {
  const result = verifyChain(fleetChainText(3));
  assert.ok(result.ok, result.firstError?.message);
  assert.is(result.chains.length, 3);
});

test('more than 200 actors: the 50 latest-waking plus those that failed get lanes; aggregates cover all', () => {
  const failed = tag(withChainEnd(jsonl([{ type: 'HandlerSetupStart' }]), 'trap', 'wasi trap: boom'), 300);
  const model = buildTimeline([{ name: 'fleet.jsonl', text: fleetChainText(300) + failed }]);
  assert.is(model.actorCount, 301);
  assert.is(model.lanes.length, FLEET_LANES + 1);
  assert.match(model.laneSelection ?? '', /^51 of 301 actors have lanes: the 50 with the latest wake-ups \(largest lateness\), plus 1 that did not end ok/);
  const instances = model.lanes.map((l) => l.instance as number);
  assert.equal(instances, [...instances].sort((a, b) => a - b), 'chain order');
  assert.ok(instances.includes(5), 'the 40 ms outlier');
  assert.ok(instances.includes(300), 'the trapped actor');
  const worst = Math.min(...model.lanes.filter((l) => l.instance !== 300).map((l) => l.maxLatenessNs as number));
  for (let i = 0; i < 300; i++) if (!instances.includes(i)) assert.ok(Number(fleetLatenessNs(i)) <= worst, `instance ${i} is not later than the lanes`);
  assert.is(model.outcomes.trap, 1);
  const fleet = model.fleet;
  assert.ok(fleet !== null);
  assert.is(fleet.wakeTimesNs.length, 300);
  assert.is(fleet.wakeWeight, 1);
  assert.equal(fleet.lateness?.maxNs, 40_000_000);
  assert.is(fleet.lateness?.count, 300);
});

test('lateness histogram: 1-2-5 bins trimmed to the data, early wake-ups apart; sampling keeps the page small', () => {
  const stats = latenessStats([1500, 1600, 2500, 45_000, -3]);
  assert.ok(stats !== null);
  assert.equal(stats.bins.map((b) => [b.fromNs, b.toNs, b.count]), [[-3, 0, 1], [1000, 2000, 2], [2000, 5000, 1], [5000, 10000, 0], [10000, 20000, 0], [20000, 50000, 1]]);
  assert.equal([stats.p50Ns, stats.p99Ns, stats.maxNs, stats.minNs, stats.count], [1600, 45_000, 45_000, -3, 5]);
  assert.is(latenessStats([]), null);
  assert.equal(latenessStats([0])?.bins, [{ fromNs: 0, toNs: 1, count: 1 }]);
  const many = Array.from({ length: MAX_WAKE_TIMES + 10 }, (_, i) => ({ atNs: BigInt(i), latenessNs: null, event: null as never }));
  const view = fleetView([{ wakes: many } as unknown as InferredActor], 0n);
  assert.is(view.wakeWeight, 2);
  assert.is(view.wakeTimesNs.length, Math.ceil((MAX_WAKE_TIMES + 10) / 2));
  assert.is(view.lateness, null);
});

test("Theater's chain.json and ours together: one lane per file, format mixed", () => {
  const theater = theaterChain([
    hostCall('wasi:clocks/monotonic-clock@0.2.3', 'subscribe-duration', '{"U64":1000000}', `{"Tuple":[{"U32":0},{"U64":${T + 1_000_000n}}]}`),
    hostCall('wasi:io/poll@0.2.3', '[method]pollable.block', '{"U32":0}', '{"Tuple":[]}'),
    hostCall('wasi:clocks/monotonic-clock@0.2.3', 'subscribe-instant', '{"U64":5}', '{"U32":1}'),
  ]);
  const model = buildTimeline([{ name: 'a.chain.json', text: theater }, { name: 'b.jsonl', text: jsonl([{ type: 'MonotonicClockNow', instant: T + 5_000_000n }]) }]);
  assert.is(model.format, 'mixed');
  assert.equal(model.lanes.map((l) => l.label), ['a.chain.json', 'b.jsonl']);
  assert.equal(model.lanes[0].bars.map((b) => [b.startNs, b.deadlineNs, b.endNs, b.endedBy, b.latenessNs]), [
    [0, 1_000_000, 1_000_000, 'block', null],
    [1_000_000, 1_000_000, 1_000_000, 'open', null], // an instant long past is due when subscribed
  ]);
  assert.is(model.spanNs, 5_000_000);
  assert.is(model.wallAtOrigin, null);
  const empty = buildTimeline([{ name: 'e.jsonl', text: jsonl([{ type: 'HandlerSetupStart' }]) }]);
  assert.equal([empty.originNs, empty.spanNs, empty.lanes[0].marks[0].event.tNs], [null, 0, 0]);
});

test.run();
