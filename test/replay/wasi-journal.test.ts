// The wasi handler's journal: random draws and stdout/stderr writes recorded in
// order with the timing calls when the chain is recorded, and answered from the
// recording by a replay (the same values, the writes matched and their lines
// shown again or not), live and recorded past a resumed log's end, carried over
// a hibernation, and a different draw or write diverging.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, formatChainJsonl } from '../../src/events/chain.ts';
import { EventRecorder } from '../../src/events/recorder.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { HandlerRegistry } from '../../src/handler/registry.ts';
import { TimingHandler } from '../../src/handler/timing-handler.ts';
import { WASI_CLI_INTERFACES, WasiHandler } from '../../src/handler/wasi-handler.ts';
import { recordingJournal, type WasiJournal } from '../../src/handler/wasi-journal.ts';
import type { ActorOutputSink } from '../../src/handler/wasi-output.ts';
import { LiveContinuation } from '../../src/replay/continue.ts';
import { recordingFromJsonl } from '../../src/replay/jsonl.ts';
import { ReplayDivergence, ReplaySession } from '../../src/replay/session.ts';
import { replayJournal } from '../../src/replay/wasi-journal.ts';
import { recordingFromTheater } from '../../src/replay/theater.ts';
import { buildTheaterChain } from '../../src/events/theater/encode.ts';
import { formatTheaterChain } from '../../src/events/theater/event.ts';

type Fn = (...args: never[]) => unknown;
type Iface = Record<string, Fn>;
interface Stream { blockingWriteAndFlush(b: Uint8Array): void; writeZeroes(n: bigint): void; subscribe(): unknown }

const text = (s: string) => new TextEncoder().encode(s);

function actor(journal: (() => WasiJournal) | null, events: EventRecorder | null, maxOutput = 64, timing: TimingHandler | null = null) {
  const lines: string[] = [];
  const drops: string[] = [];
  const output: ActorOutputSink = { line: (_a, stream, line) => lines.push(`${stream} ${line}`), dropped: (_a, bytes) => drops.push(`${bytes}`) };
  const registry = new HandlerRegistry();
  registry.register(new WasiHandler({ max_output_bytes: maxOutput }, { output, journal: journal ?? undefined, timing }));
  const built = registry.buildImports(WASI_CLI_INTERFACES, { actorId: 'a#0', events });
  const iface = (key: string) => built.imports[key] as Iface;
  const stdout = iface('wasi:cli/stdout').getStdout() as unknown as Stream;
  const stderr = iface('wasi:cli/stderr').getStderr() as unknown as Stream;
  return { iface, stdout, stderr, lines, drops, dispose: () => built.dispose() };
}

/** The guest: draws of every kind, and writes on both streams, some past the 64-byte cap. */
function guest(a: ReturnType<typeof actor>): unknown[] {
  const drawn: unknown[] = [];
  drawn.push(Buffer.from((a.iface('wasi:random/random').getRandomBytes as unknown as (n: bigint) => Uint8Array)(4n)).toString('hex'));
  a.stdout.blockingWriteAndFlush(text('hello\npart'));
  drawn.push(a.iface('wasi:random/random').getRandomU64());
  drawn.push(Buffer.from((a.iface('wasi:random/insecure').getInsecureRandomBytes as unknown as (n: bigint) => Uint8Array)(2n)).toString('hex'));
  drawn.push(a.iface('wasi:random/insecure').getInsecureRandomU64());
  drawn.push(a.iface('wasi:random/insecure-seed').insecureSeed());
  a.stderr.writeZeroes(3n);
  a.stdout.blockingWriteAndFlush(text(`ial\n${'x'.repeat(60)}\n`));
  return drawn;
}

function record() {
  const events = new EventRecorder();
  const live = actor(null, events);
  const drawn = guest(live);
  live.dispose();
  return { events: events.events, drawn, lines: live.lines, drops: live.drops };
}

/** The recorded events as a chain in progress (no ChainEnd: the tests end the session themselves). */
const sessionOf = (events: readonly TimingEvent[], live: LiveContinuation | null = null) =>
  new ReplaySession(recordingFromJsonl(formatChainJsonl(buildChain([...events])), { open: true }), null, live);

test('recorded: every draw and write becomes an event, in call order; writes keep only the bytes within the cap', () => {
  const { events, drawn, lines, drops } = record();
  assert.equal(events.map((e) => e.type), ['RandomBytes', 'OutputWrite', 'RandomU64', 'RandomBytes', 'RandomU64', 'InsecureSeed', 'OutputWrite', 'OutputWrite']);
  assert.equal(events[0], { type: 'RandomBytes', source: 'random', len: 4n, bytes: drawn[0] });
  assert.equal(events[1], { type: 'OutputWrite', stream: 'stdout', length: 10n, bytes: Buffer.from('hello\npart').toString('hex') });
  assert.equal(events[3], { type: 'RandomBytes', source: 'insecure', len: 2n, bytes: drawn[2] });
  assert.equal(events[5], { type: 'InsecureSeed', low: (drawn[4] as bigint[])[0], high: (drawn[4] as bigint[])[1] });
  assert.equal(events[6], { type: 'OutputWrite', stream: 'stderr', length: 3n, bytes: '000000' });
  // 10 + 3 bytes kept so far: the last write (65 bytes) keeps 51, the rest is counted.
  const last = events[7] as Extract<TimingEvent, { type: 'OutputWrite' }>;
  assert.is(last.length, 65n);
  assert.is(last.bytes, Buffer.from(`ial\n${'x'.repeat(47)}`).toString('hex'));
  assert.equal(lines, ['stdout hello', 'stdout partial', `stdout ${'x'.repeat(47)}`, 'stderr \u0000\u0000\u0000']);
  assert.equal(drops, ['14']);
});

test('recorded: a stream\'s subscribe traps, its pollable could not be replayed; without recording nothing is journaled', () => {
  const recorded = actor(null, new EventRecorder());
  assert.throws(() => recorded.stdout.subscribe(), /^wasi trap: wasi:io\/streams: subscribe is not served to an actor whose chain is recorded or replayed/);
  const plain = actor(null, null);
  plain.stdout.blockingWriteAndFlush(text('x\n'));
  assert.equal(plain.lines, ['stdout x']);
});

test('--replay: the recorded draws come back, the writes are matched and their lines shown again; the chain is the recording\'s', () => {
  const recorded = record();
  const session = sessionOf(recorded.events);
  const replayed = new EventRecorder();
  session.attach(replayed);
  const again = actor(() => replayJournal(session, { showReplayed: true }), replayed);
  assert.equal(guest(again), recorded.drawn);
  again.dispose();
  assert.equal(again.lines, recorded.lines);
  assert.equal(again.drops, recorded.drops);
  assert.equal(replayed.events, recorded.events);
  assert.is(session.finish({ status: 'ok' }), null);
});

test('a resume: replayed lines are not shown again (they were before the crash); past the log, calls are live and recorded after Resumed', () => {
  const recorded = record();
  // The host died after the first three records: the draw, the write, the u64.
  const cut = recorded.events.slice(0, 3);
  const recording = recordingFromJsonl(formatChainJsonl(buildChain(cut)), { open: true });
  const live = new LiveContinuation(recording, { monotonicNs: 0n, wallNs: BigInt(Date.now()) * 1_000_000n }, null);
  const session = new ReplaySession(recording, null, live);
  const events = new EventRecorder();
  session.attach(events);
  const resumed = actor(() => replayJournal(session, { showReplayed: false }), events);
  const drawn = guest(resumed);
  resumed.dispose();
  assert.equal(drawn.slice(0, 2), recorded.drawn.slice(0, 2));
  // "hello" was shown before the crash; "part" was held unfinished, and completes now.
  assert.equal(resumed.lines, ['stdout partial', `stdout ${'x'.repeat(47)}`, 'stderr \u0000\u0000\u0000']);
  assert.equal(events.events.map((e) => e.type), ['RandomBytes', 'OutputWrite', 'RandomU64', 'Resumed', 'RandomBytes', 'RandomU64', 'InsecureSeed', 'OutputWrite', 'OutputWrite']);
  assert.equal(events.events.slice(0, 3), cut);
});

test('hibernation: the instance is dropped without ending its capture (the unfinished line and the drop count carry over)', () => {
  const recording = recordingFromJsonl('', { open: true });
  const live = new LiveContinuation(recording, { monotonicNs: 0n, wallNs: BigInt(Date.now()) * 1_000_000n }, null);
  const session = new ReplaySession(recording, null, live);
  const a = actor(() => replayJournal(session, { showReplayed: false }), null);
  a.stdout.blockingWriteAndFlush(text('unfinished'));
  live.hibernatedUntil = 5n;
  a.dispose();
  assert.equal(a.lines, []);
  live.hibernatedUntil = null;
  const b = actor(() => replayJournal(session, { showReplayed: false }), null);
  b.stdout.blockingWriteAndFlush(text('x'));
  b.dispose();
  assert.equal(b.lines, ['stdout x']);
});

test('a replay whose actor draws or writes something else diverges, naming the call', () => {
  const recorded = record();
  const other = sessionOf(recorded.events);
  const a = actor(() => replayJournal(other, { showReplayed: true }), null);
  assert.throws(() => (a.iface('wasi:random/random').getRandomBytes as unknown as (n: bigint) => Uint8Array)(5n),
    (e: unknown) => e instanceof ReplayDivergence && /^replay diverged at event 0: recorded wasi:random\/random@0\.2\.3\/get-random-bytes\(4\), actor called get-random-bytes\(5\)$/.test((e as Error).message));
  const write = sessionOf(recorded.events.slice(1));
  const b = actor(() => replayJournal(write, { showReplayed: true }), null);
  assert.throws(() => b.stdout.blockingWriteAndFlush(text('hellO\npart')),
    /recorded wasi:io\/streams@0\.2\.3\/\[method\]output-stream\.write\("stdout", 10, "68656c6c6f0a70617274"\), actor called \[method\]output-stream\.write\("stdout", 10, "68656c6c4f0a70617274"\)$/);
  // A plain --replay (no live continuation) past the end diverges too.
  const short = sessionOf([]);
  const c = actor(() => replayJournal(short, { showReplayed: true }), null);
  assert.throws(() => c.iface('wasi:random/random').getRandomU64(), /recorded the end of the recording, actor called get-random-u64\(\)/);
});

test('Theater\'s chain.json cannot carry the draws: replaying one, they are answered live and recorded as ours', () => {
  // The shortest chain.json there is: the init call and the shutdown, nothing between.
  const empty = formatTheaterChain(buildTheaterChain([], { imports: [], state: null, outcome: { status: 'ok', state: null } }));
  const session = new ReplaySession(recordingFromTheater(empty), null);
  const events = new EventRecorder();
  session.attach(events);
  const a = actor(() => replayJournal(session, { showReplayed: true }), events);
  a.iface('wasi:random/random').getRandomU64();
  assert.equal(events.events.map((e) => e.type), ['RandomU64']);
  const journal = recordingJournal(new EventRecorder());
  assert.is(journal.suspended(), false);
});

test.run();
