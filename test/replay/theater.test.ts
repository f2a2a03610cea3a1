// Theater's chain.json, built here from its definition (SHA-1 of the compact
// {"hash":[],"parent_hash","event_type","data"}, data = UTF-8 JSON with tagged
// values), replayed through the binary against the sleeper actor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventRecorder } from '../../src/events/recorder.ts';
import { parseRecording } from '../../src/replay/load.ts';
import { ReplayHandler, type ReplayPollable } from '../../src/replay/replay-handler.ts';
import { ReplaySession } from '../../src/replay/session.ts';
import { actorManifest, bin, tempDir } from '../cli/support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface TheaterEvent { hash: number[]; parent_hash: number[] | null; event_type: string; data: number[] }

/** JSON text with bigint written as exact digits. */
const json = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(\d+)@@"/g, '$1');

function chain(payloads: Array<[string, unknown]>): string {
  const events: TheaterEvent[] = [];
  let parent: number[] | null = null;
  for (const [eventType, payload] of payloads) {
    const data = [...Buffer.from(json(payload), 'utf8')];
    const hash: number[] = [...createHash('sha1').update(JSON.stringify({ hash: [], parent_hash: parent, event_type: eventType, data })).digest()];
    events.push({ hash, parent_hash: parent, event_type: eventType, data });
    parent = hash;
  }
  return JSON.stringify(events);
}

const MONO = 'wasi:clocks/monotonic-clock@0.2.3';
const POLL = 'wasi:io/poll@0.2.3';
const call = (iface: string, fn: string, input: unknown, output: unknown): [string, unknown] =>
  [`${iface}/${fn}`, { category: 'HostFunction', interface: iface, function: fn, input, output }];
const SHUTDOWN: [string, unknown] = ['shutdown', { category: 'Wasm', WasmCall: { function_name: 'shutdown', params: [] } }];
const BEFORE = 18_446_744_073_000_000_000n; // above 2^53: must survive exactly
const SLEEP = 100_000_000n;

function sleeperChain(durationNs: bigint): string {
  return chain([
    ['wasm', { category: 'Wasm', WasmCall: { function_name: 'theater:simple/actor.init', params: [...Buffer.from('null')] } }],
    call(MONO, 'now', { Tuple: [] }, { U64: BEFORE }),
    call(MONO, 'subscribe-duration', { U64: durationNs }, { Tuple: [{ U32: 0 }, { U64: BEFORE + durationNs }] }),
    call(POLL, '[method]pollable.block', { U32: 0 }, { Tuple: [] }),
    call(MONO, 'now', { Tuple: [] }, { U64: BEFORE + durationNs + 7n }),
    ['wasm', { category: 'Wasm', WasmResult: { function_name: 'theater:simple/actor.init', result: [null, [...Buffer.from('null')]] } }],
    ['shutdown', { category: 'Wasm', WasmCall: { function_name: 'shutdown', params: [] } }],
  ]);
}

test('a Theater chain.json serves the sleeper: recorded readings come back exactly, frames pass', () => {
  const path = join(dir, 'chain.json');
  writeFileSync(path, sleeperChain(SLEEP));
  const r = bin('run', actorManifest('sleeper'), '--replay', path);
  assert.is(r.status, 0, r.stderr);
  const [hex, verdict] = r.stdout.trim().split('\n');
  const state = Buffer.from(hex, 'hex');
  assert.equal([0, 8, 16].map((at) => state.readBigUInt64LE(at)), [BEFORE, BEFORE + SLEEP + 7n, SLEEP]);
  assert.is(verdict, 'replay ok: 7 events matched');
});

test('a Theater chain that asked for another sleep diverges at that event', () => {
  const path = join(dir, 'other.json');
  writeFileSync(path, sleeperChain(5n));
  const r = bin('run', actorManifest('sleeper'), '--replay', path);
  assert.is(r.status, 4);
  assert.is(r.stderr, 'theater-timing: replay diverged at event 2: recorded wasi:clocks/monotonic-clock@0.2.3/subscribe-duration(5), actor called subscribe-duration(100000000)\n');
});

test('what verify refuses, --replay refuses: a U64 of 1e29 or -1e20 under a valid SHA-1, a duplicate key, no shutdown (exit 2, one line)', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['u64.json', chain([call(MONO, 'now', { Tuple: [] }, { U64: 10n ** 29n }), SHUTDOWN]), /event 0: data\.output\.U64: expected an integer in 0\.\.2\^64-1/],
    ['neg.json', chain([['wasi:clocks/monotonic-clock@0.2.3/now', JSON.parse('{"category":"HostFunction","interface":"wasi:clocks/monotonic-clock@0.2.3","function":"now","input":{"Tuple":[]},"output":{"U64":-1e20}}')], SHUTDOWN]), /event 0: data\.output\.U64: expected an integer in 0\.\.2\^64-1/],
    ['dup.json', sleeperChain(SLEEP).replace('"event_type":', '"data":[1],"event_type":'), /event 0: duplicate key "data"/],
    ['cut.json', chain([call(MONO, 'now', { Tuple: [] }, { U64: 1n })]), /event 1: the last event is .*, not "shutdown"/],
  ];
  for (const [name, text, message] of cases) {
    const path = join(dir, name);
    writeFileSync(path, text);
    assert.is(bin('verify', path).status, 1, name);
    const r = bin('run', actorManifest('sleeper'), '--replay', path);
    assert.is(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^theater-timing: --replay: .*${name.replace('.', '\\.')}: ${message.source}`), name);
    assert.is(r.stderr.split('\n').length, 2, `${name}: one line`);
  }
});

test('Theater chains: the hash and the links are checked, and every field names its event', () => {
  const good = JSON.parse(sleeperChain(SLEEP)) as TheaterEvent[];
  const bad = (mutate: (events: TheaterEvent[]) => void, message: RegExp): void => {
    const events = structuredClone(good);
    mutate(events);
    assert.throws(() => parseRecording(JSON.stringify(events)), message);
  };
  bad((e) => { e[3].data[5] ^= 1; }, /^event 3: hash mismatch: event says /);
  bad((e) => { e[2].parent_hash = null; }, /^event 2: parent_hash null does not match the previous event's hash/);
  bad((e) => { (e[1] as unknown as { data: string }).data = 'x'; }, /^event 1: data: expected an array of numbers in 0\.\.255/);
  assert.throws(() => parseRecording('[1]'), /^event 0: expected an object, got 1/);
  assert.throws(() => parseRecording('[nope'), /^event 0: the file ends inside the array/);
  assert.throws(() => parseRecording('[]'), /no events/);
  // A chain is whole only with its closing "shutdown" event: every replayed shape below gets one.
  const closed = (payloads: Array<[string, unknown]>): string => chain([...payloads, SHUTDOWN]);
  const wrongShape = (output: unknown, message: RegExp) =>
    assert.throws(() => parseRecording(closed([call(MONO, 'now', { Tuple: [] }, output)])), message);
  wrongShape({ U32: 1 }, /^event 0: data\.output: not the shape now records \(U64\)/);
  wrongShape({ U64: -1 }, /^event 0: data\.output\.U64: expected an integer in 0\.\.2\^64-1, got -1/);
  wrongShape({ U64: 10n ** 29n }, /^event 0: data\.output\.U64: expected an integer in 0\.\.2\^64-1, got 100000000000000000000000000000/);
  assert.throws(() => parseRecording(closed([call(POLL, '[method]pollable.ready', { U32: 1.5 }, { Bool: true })])), /U32: expected/);
  assert.throws(() => parseRecording(closed([call(POLL, '[method]pollable.ready', { U32: 1 }, { Bool: 1 })])), /Bool: expected/);
  assert.throws(() => parseRecording(closed([call(POLL, 'poll', { List: 3 }, { List: [] })])), /List: expected an array/);
  assert.throws(() => parseRecording(closed([call('wasi:clocks/wall-clock@0.2.3', 'now', { Tuple: [] }, { Tuple: [] })])), /not the shape now records \(dt\)/);
  assert.throws(() => parseRecording(chain([call(MONO, 'now', { Tuple: [] }, { U64: 1n })])), /^event 1: the last event is .*, not "shutdown": the chain was cut short after 1 events/);
  // Other handlers' calls and unknown events are frames, passed over in order.
  const other = parseRecording(chain([call('wasi:random/random@0.2.3', 'get', { Tuple: [] }, { U64: 1n }), ['theater-runtime', 'x'], SHUTDOWN]));
  assert.equal(other.entries.map((e) => e.kind), ['frame', 'frame', 'frame']);
});

test('in-process: Theater has no setup, clamp or drop events; the replay emits its own and checks none', () => {
  const session = new ReplaySession(parseRecording(sleeperChain(SLEEP)), { minNs: 200n * 1_000_000n, maxNs: 300n * 1_000_000n });
  const events = new EventRecorder();
  const instance = new ReplayHandler(session).instantiate({ actorId: 'sleeper', events });
  const mono = instance.imports['wasi:clocks/monotonic-clock'] as { now(): bigint; subscribeDuration(d: bigint): ReplayPollable };
  assert.is(mono.now(), BEFORE);
  const p = mono.subscribeDuration(SLEEP);
  p.block();
  p[Symbol.dispose]();
  assert.equal(events.events.map((e) => e.type), ['HandlerSetupStart', 'HandlerSetupSuccess', 'LinkerInstanceSuccess', 'MonotonicClockNow', 'SubscribeDuration', 'SleepClamped', 'PollableBlock', 'PollableDrop']);
  assert.throws(() => mono.subscribeDuration(1n), /^replay diverged at event 4: recorded wasi:clocks\/monotonic-clock@0\.2\.3\/now, actor called subscribe-duration\(1\)$/);
  assert.is(session.finish({ status: 'ok' }), session.divergence, 'the first divergence stands');
});

test.run();
