// ReplaySession and ReplayHandler as units over synthetic recordings, and the
// CLI in-process for the paths a user takes (record, replay, diverge).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { buildChain, formatChainJsonl, hashEvent } from '../../src/events/chain.ts';
import { EventRecorder } from '../../src/events/recorder.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { parseRecording, replayHandler } from '../../src/replay/load.ts';
import { recordingFromJsonl } from '../../src/replay/jsonl.ts';
import { writeFileSync } from 'node:fs';
import { formatCall, formatRecorded } from '../../src/replay/recorded.ts';
import { ReplayHandler, type ReplayPollable } from '../../src/replay/replay-handler.ts';
import { ReplaySession } from '../../src/replay/session.ts';
import { actorManifest, tempDir } from '../cli/support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));
const MS = 1_000_000n;
const SETUP: TimingEvent[] = [{ type: 'HandlerSetupStart' }, { type: 'HandlerSetupSuccess' }, { type: 'LinkerInstanceSuccess' }];

/** A chain without its ChainEnd, read as a durable log in progress is (a replay of a file refuses it: see below). */
const unfinished = (text: string) => recordingFromJsonl(text, { open: true });

function jsonl(events: TimingEvent[], end?: { outcome: string; message?: string }): string {
  let text = formatChainJsonl(buildChain(events));
  if (end !== undefined) {
    // A ChainEnd record, as the chain writer appends it, linked and hashed like any event.
    const last = text.trim().split('\n').at(-1)!;
    const parent = (JSON.parse(last) as { hash: string }).hash;
    const event = { type: 'ChainEnd', events: events.length, outcome: end.outcome, message: end.message ?? '' };
    text += `${JSON.stringify({ seq: events.length, parent, hash: hashEvent(parent, event as never), handler: 'timing', event })}\n`;
  }
  return text;
}

type Io = { code: number; stdout: string; stderr: string };
async function cli(...argv: string[]): Promise<Io> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false });
  return { code, stdout, stderr };
}


test('in-process: record, replay faithfully (same chain), then diverge against another actor', async () => {
  const recorded = join(dir, 'rec.jsonl');
  const replayed = join(dir, 'rep.jsonl');
  assert.is((await cli('run', actorManifest('wasi-clocks-test'), '--events', recorded)).code, 0);
  const ok = await cli('run', actorManifest('wasi-clocks-test'), '--replay', recorded, '--events', replayed);
  assert.is(ok.code, 0, ok.stderr);
  const events = readFileSync(recorded, 'utf8').trim().split('\n').length;
  assert.ok(ok.stdout.endsWith(`replay ok: ${events} events matched\n`), ok.stdout);
  assert.is(readFileSync(replayed, 'utf8'), readFileSync(recorded, 'utf8'));
  const refused = await cli('run', actorManifest('sleeper'), '--replay', recorded);
  assert.is(refused.code, 2, 'another component is refused before it runs');
  assert.match(refused.stderr, /--replay-any-component/);
  const bad = await cli('run', actorManifest('sleeper'), '--replay', recorded, '--replay-any-component', '--json');
  assert.is(bad.code, 4);
  assert.match(bad.stderr, /^theater-timing: replay diverged at event 5: recorded wasi:clocks\/monotonic-clock@0\.2\.3\/resolution, actor called subscribe-duration\(100000000\)\n$/);
  const broken = await cli('run', actorManifest('sleeper'), '--replay', join(dir, 'none.jsonl'));
  assert.is(broken.code, 2);
  // Every line but the opening ActorIdentity and the closing ChainEnd is an entry; ChainEnd is the recorded outcome.
  const streamed = replayHandler(recorded).session.recording;
  let entries = 0;
  while (streamed.next() !== undefined) entries++;
  assert.is(entries, events - 2);
  assert.equal(streamed.outcome?.status, 'ok');
  assert.throws(() => replayHandler(join(dir, 'none.jsonl')), /none\.jsonl: cannot read \(ENOENT\)/);
});

test('setup events are checked; a mismatch diverges before the guest runs (exit 4)', async () => {
  const path = join(dir, 'nosetup.jsonl');
  writeFileSync(path, jsonl([{ type: 'HandlerSetupStart' }, { type: 'MonotonicClockNow', instant: 5n }], { outcome: 'ok' }));
  const r = await cli('run', actorManifest('sleeper'), '--replay', path);
  assert.is(r.code, 4);
  assert.is(r.stderr, 'theater-timing: replay diverged at event 1: recorded wasi:clocks/monotonic-clock@0.2.3/now, the host recorded HandlerSetupSuccess\n');
});

test('calls match in order with handles in the recording\'s numbering; outputs come back; events are re-emitted', () => {
  const events: TimingEvent[] = [
    ...SETUP,
    { type: 'WallClockNow', seconds: 9n, nanoseconds: 8 },
    { type: 'WallClockResolution', seconds: 0n, nanoseconds: 1 },
    { type: 'SubscribeDuration', duration: 5n * MS, pollable: 7, deadline: 10n * MS },
    { type: 'SubscribeInstant', when: 3n, pollable: 2, deadline: 3n },
    { type: 'PollableReady', pollable: 7, ready: false },
    { type: 'PollReady', pollables: [7, 2], ready_count: 1, indices: [1], waited: 4n },
    { type: 'PollableBlock', pollable: 7, waited: 9n },
    { type: 'PollableDrop', pollable: 7 },
    { type: 'MonotonicClockResolution', resolution: 1n },
  ];
  const session = new ReplaySession(unfinished(jsonl(events)), { minNs: MS, maxNs: 100n * MS });
  const recorder = new EventRecorder();
  const handler = new ReplayHandler(session);
  const instance = handler.instantiate({ actorId: 'a', events: recorder });
  const mono = instance.imports['wasi:clocks/monotonic-clock'] as { subscribeDuration(d: bigint): ReplayPollable; subscribeInstant(w: bigint): ReplayPollable; resolution(): bigint };
  const wall = instance.imports['wasi:clocks/wall-clock'] as { now(): unknown; resolution(): unknown };
  const io = instance.imports['wasi:io/poll'] as { poll(list: unknown[]): Uint32Array };
  assert.equal(wall.now(), { seconds: 9n, nanoseconds: 8 });
  assert.equal(wall.resolution(), { seconds: 0n, nanoseconds: 1 });
  const a = mono.subscribeDuration(5n * MS);
  const b = mono.subscribeInstant(3n);
  assert.equal([a.recorded, b.recorded], [7, 2]);
  assert.is(a.ready(), false);
  assert.equal(Array.from(io.poll([a, b])), [1]);
  assert.is(a.block(), undefined);
  a[Symbol.dispose]();
  assert.is(mono.resolution(), 1n);
  assert.equal(recorder.events, events);
  assert.is(session.finish({ status: 'ok' }), null);
  assert.is(session.matched, events.length);
  assert.throws(() => io.poll([]), /^wasi trap: poll: attempt to poll on an empty list$/);
  assert.throws(() => io.poll([{}]), /not a pollable of this host/);
  instance.dispose();
  assert.throws(() => handler.instantiate({ actorId: 'b', events: null }), /replay serves one actor; "b" would be a second/);
});


test('clamps: our limits recompute them and the recorded SleepClamped must agree', () => {
  const sub = (duration: bigint, pollable = 0): TimingEvent => ({ type: 'SubscribeDuration', duration, pollable, deadline: duration });
  const clamp = (requested: bigint, applied: bigint, reason: 'min_sleep_duration' | 'max_sleep_duration'): TimingEvent => ({ type: 'SleepClamped', requested, applied, reason });
  const limits = { minNs: MS, maxNs: 100n * MS };
  // Agreeing clamp: consumed and re-emitted.
  const ok = new ReplaySession(unfinished(jsonl([sub(1n), clamp(1n, MS, 'min_sleep_duration')])), limits);
  ok.call('wasi:clocks/monotonic-clock', 'subscribe-duration', [1n]);
  ok.clamp(1n);
  assert.is(ok.finish({ status: 'ok' }), null);
  // A zero request is clamped like any other (the host's rule).
  const zero = new ReplaySession(unfinished(jsonl([sub(0n), clamp(0n, MS, 'min_sleep_duration')])), limits);
  zero.call('wasi:clocks/monotonic-clock', 'subscribe-duration', [0n]);
  zero.clamp(0n);
  assert.is(zero.finish({ status: 'ok' }), null);
  // Recorded clamp, but our limits would not clamp.
  const none = new ReplaySession(unfinished(jsonl([sub(5n * MS), clamp(5n * MS, MS, 'min_sleep_duration')])), limits);
  none.call('wasi:clocks/monotonic-clock', 'subscribe-duration', [5n * MS]);
  assert.throws(() => none.clamp(5n * MS), /^replay diverged at event 1: recorded our SleepClamped event, the host did not clamp 5000000 ns$/);
  // Our limits clamp, the recording has no clamp.
  const missing = new ReplaySession(unfinished(jsonl([sub(500n * MS), { type: 'PollableDrop', pollable: 0 }])), limits);
  missing.call('wasi:clocks/monotonic-clock', 'subscribe-duration', [500n * MS]);
  assert.throws(() => missing.clamp(500n * MS), /recorded wasi:io\/poll@0\.2\.3\/\[resource-drop\]pollable\(0\), the host clamped 500000000 ns to 100000000 ns \(max_sleep_duration\)$/);
  assert.match(missing.divergence!, /^replay diverged at event 1/);
  assert.throws(() => missing.call('wasi:io/poll', '[resource-drop]pollable', [0]), /event 1/, 'a diverged session keeps failing');
  // Clamps with other limits differ.
  const other = new ReplaySession(unfinished(jsonl([sub(500n * MS), clamp(500n * MS, 200n * MS, 'max_sleep_duration')])), limits);
  other.call('wasi:clocks/monotonic-clock', 'subscribe-duration', [500n * MS]);
  assert.throws(() => other.clamp(500n * MS), /the host clamped 500000000 ns to 100000000 ns/);
  // subscribe-instant: the recorded clamp is taken as is; without limits nothing is checked.
  const instant = new ReplaySession(unfinished(jsonl([clamp(9n, MS, 'min_sleep_duration')])), null);
  instant.clamp(null);
  instant.clamp(7n);
  assert.is(instant.matched, 1);
});

test('outcomes: leftovers and a different recorded outcome diverge; a matching one does not', () => {
  const now: TimingEvent = { type: 'MonotonicClockNow', instant: 1n };
  const left = new ReplaySession(unfinished(jsonl([now])));
  assert.is(left.finish({ status: 'err', error: 'no' }), 'replay diverged at event 0: recorded wasi:clocks/monotonic-clock@0.2.3/now, actor returned err from init: no');
  const ended = new ReplaySession(parseRecording(jsonl([now], { outcome: 'trap', message: 'boom' })));
  ended.call('wasi:clocks/monotonic-clock', 'now', []);
  assert.is(ended.finish({ status: 'ok' }), 'replay diverged at event 1: recorded outcome trap (boom), actor returned from init');
  const same = new ReplaySession(parseRecording(jsonl([now], { outcome: 'ok' })));
  same.call('wasi:clocks/monotonic-clock', 'now', []);
  assert.is(same.finish({ status: 'ok' }), null);
  assert.is(same.matched, 2, 'the ChainEnd counts as matched when the outcome agrees');
  const past = new ReplaySession(parseRecording(jsonl([now], { outcome: 'ok' })));
  past.call('wasi:clocks/monotonic-clock', 'now', []);
  assert.throws(() => past.call('wasi:clocks/monotonic-clock', 'now', []), /^replay diverged at event 1: recorded the end of the recording, actor called now\(\)$/);
});

test('our chain is checked as it is read', () => {
  const good = jsonl([{ type: 'MonotonicClockNow', instant: 1n }, { type: 'MonotonicClockNow', instant: 2n }]);
  const lines = good.trim().split('\n');
  // The checks are verify's own (events/verify.ts), so the messages are too.
  assert.throws(() => parseRecording('{'), /^line 1: invalid JSON: /);
  assert.throws(() => parseRecording('{"fleet":{"instances":3}}'), /^line 1: the file holds the chains of 3 instances; a replay serves one/);
  assert.throws(() => parseRecording('{"event":3}'), /^line 1: seq: expected a non-negative integer/);
  assert.throws(() => parseRecording(`${lines[1]}\n`), /^line 1: seq 1, expected 0$/);
  const unknown = jsonl([{ type: 'MonotonicClockNow', instant: 1n }]).replace('MonotonicClockNow', 'Mystery');
  assert.throws(() => parseRecording(unknown), /^line 1: event\.type: unknown event type/);
  const ended = jsonl([{ type: 'MonotonicClockNow', instant: 1n }], { outcome: 'ok' });
  const after = `${ended}${lines[1].replace('"seq":1', '"seq":2')}\n`;
  assert.throws(() => parseRecording(after), /line 3: an event after ChainEnd/);
  assert.throws(() => parseRecording(jsonl([{ type: 'MonotonicClockNow', instant: 1n }], { outcome: 'maybe' })), /line 2: event\.outcome: expected one of ok, err, trap, diverged/);
  const shape = formatChainJsonl(buildChain([{ type: 'PollableReady', pollable: 1, ready: 'yes' as unknown as boolean }]));
  assert.throws(() => parseRecording(shape), /^line 1: event\.ready: expected a boolean/);
  assert.throws(() => parseRecording(good), /^line 3: the chain has no ChainEnd: it was cut short after 2 events/);
  const big = jsonl([{ type: 'MonotonicClockNow', instant: 1n }], { outcome: 'ok' }).replace('"instant":"1"', `"instant":"${2n ** 64n}"`);
  assert.throws(() => parseRecording(big), /^line 1: event\.instant: u64 out of range/);
  assert.is(parseRecording(ended).outcome?.status, 'ok');
});

test('messages: recorded and actual calls are shown as the guest sees them', () => {
  assert.is(formatCall('poll', [[0, 1]]), 'poll([0, 1])');
  assert.is(formatCall('now', []), 'now()');
  assert.is(formatRecorded({ kind: 'frame', position: 0, label: 'wasm WasmCall x' }), 'wasm WasmCall x');
  // A chain from before PollReady listed its pollables lacks the field: verify refuses it, and so does a replay.
  const old = { type: 'PollReady', ready_count: 0, indices: [], waited: 0n } as unknown as TimingEvent;
  assert.throws(() => unfinished(jsonl([old])), /^line 1: event\.pollables: missing in PollReady$/);
  // A call whose input the recording does not hold is shown without it.
  assert.is(formatRecorded({ kind: 'call', position: 0, interface: 'wasi:io/poll@0.2.3', function: 'poll', input: [null], output: [], event: old }), 'wasi:io/poll@0.2.3/poll');
  const listed = unfinished(jsonl([{ type: 'PollReady', pollables: [3], ready_count: 0, indices: [], waited: 0n }])).entries[0];
  assert.is(formatRecorded(listed), 'wasi:io/poll@0.2.3/poll([3])');
  const wall = unfinished(jsonl([{ type: 'WallClockNow', seconds: 1n, nanoseconds: 2 }])).entries[0];
  assert.is(formatRecorded(wall), 'wasi:clocks/wall-clock@0.2.3/now');
  assert.is(formatCall('x', [null, { seconds: 1n, nanoseconds: 2 }]), 'x(?, 1s+2ns)');
});

test.run();
