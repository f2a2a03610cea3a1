// Theater's chain.json, unit by unit: exact JSON, tagged values, the SHA-1 of
// an event from its definition, the mapping of our events, the verifier.
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildTheaterChain, importedName, MAX_THEATER_STATE_BYTES, TheaterEncoder, theaterRecords, theaterStateError, type TheaterRun } from '../../src/events/theater/encode.ts';
import { formatTheaterChain, hashedText, linkTheaterEvents, theaterEvent, theaterHash } from '../../src/events/theater/event.ts';
import { theaterChainPath } from '../../src/events/theater/file.ts';
import { formatTheaterSummary, looksLikeTheaterChain, verifyTheaterChain } from '../../src/events/theater/verify.ts';
import { compactJson, jsonBytes, u64, UNIT, valueError } from '../../src/events/theater/values.ts';
import { parseJsonExact } from '../../src/base/exact-json.ts';
import type { TimingEvent } from '../../src/events/types.ts';

const U64_MAX = (1n << 64n) - 1n;
const decode = (data: readonly number[]): string => Buffer.from(data).toString('utf8');
const run = (over: Partial<TheaterRun> = {}): TheaterRun => ({
  imports: ['wasi:clocks/monotonic-clock@0.2.0', 'wasi:io/poll@0.2.0'],
  state: null,
  outcome: { status: 'ok', state: null },
  ...over,
});

const values = suite('values: exact JSON and tagged values');

values('compactJson writes u64 digit for digit and keeps key order', () => {
  assert.is(compactJson({ b: 1, a: [u64(U64_MAX), UNIT, { Bool: true }, null, 'x"'] }), '{"b":1,"a":[{"U64":18446744073709551615},{"Tuple":[]},{"Bool":true},null,"x\\""]}');
  assert.equal(jsonBytes(null), [110, 117, 108, 108]);
});

values('parseJsonExact reads integers past 2^53 as bigint, others as numbers', () => {
  assert.equal(parseJsonExact('{"U64":18446744073709551615,"n":5,"f":1.5}'), { U64: U64_MAX, n: 5, f: 1.5 });
  assert.equal(parseJsonExact('[9007199254740993]'), [9007199254740993n]);
});

values('valueError accepts every tag and names the first bad spot', () => {
  assert.is(valueError({ List: [{ U32: 0 }, { Tuple: [{ U64: U64_MAX }, { Bool: false }] }] }, 'v'), null);
  assert.is(valueError({ U64: 18446744073709551616n }, 'v'), 'v.U64: expected an integer in 0..2^64-1, got 18446744073709551616');
  assert.is(valueError({ U32: 2 ** 32 }, 'v'), 'v.U32: expected an integer in 0..2^32-1, got 4294967296');
  assert.is(valueError({ U32: -1 }, 'v'), 'v.U32: expected an integer in 0..2^32-1, got -1');
  assert.is(valueError({ U64: 2 ** 60 }, 'v'), null); // as a parser without source text hands it over
  assert.is(valueError({ U64: 2 ** 64 }, 'v'), 'v.U64: expected an integer in 0..2^64-1, got 18446744073709552000');
  assert.is(valueError({ Bool: 1 }, 'v'), 'v.Bool: expected true or false, got 1');
  assert.is(valueError({ List: 3 }, 'v'), 'v.List: expected an array, got 3');
  assert.is(valueError({ Tuple: [{ U32: 1 }, { S32: 1 }] }, 'v'), 'v.Tuple[1]: unknown tag "S32" (known: U64, U32, Bool, List, Tuple)');
  assert.is(valueError({ U32: 1, U64: 1 }, 'v'), 'v: expected a tagged value such as {"U64":n}, got {"U32":1,"U64":1}');
  assert.is(valueError([1], 'v'), 'v: expected a tagged value such as {"U64":n}, got [1]');
});

values.run();

const events = suite('event: SHA-1 and the file');

events('the hash is SHA-1 over the compact JSON with "hash":[] first, computed here from the definition', () => {
  const first = theaterEvent(null, 'wasm', { category: 'Wasm', WasmCall: { function_name: 'theater:simple/actor.init', params: [110, 117, 108, 108] } });
  const data = [...Buffer.from('{"category":"Wasm","WasmCall":{"function_name":"theater:simple/actor.init","params":[110,117,108,108]}}')];
  assert.equal(first.data, data);
  const text = `{"hash":[],"parent_hash":null,"event_type":"wasm","data":[${data.join(',')}]}`;
  assert.equal(first.hash, [...createHash('sha1').update(text).digest()]);
  // The same event opens the chain Theater itself recorded for the seed's test actor, with this hash.
  assert.is(Buffer.from(first.hash).toString('hex'), '584d8e1be21fed4367e60f8297f7c104cd377791');
  const second = theaterEvent(first.hash, 'x', 1);
  assert.is(hashedText(first.hash, 'x', [49]), `{"hash":[],"parent_hash":[${first.hash.join(',')}],"event_type":"x","data":[49]}`);
  assert.equal(second.hash, theaterHash(first.hash, 'x', [49]));
  assert.equal(second.parent_hash, first.hash);
});

events('the file is a JSON array, one event per line; empty chains are []', () => {
  const chain = linkTheaterEvents([{ eventType: 'a', payload: 1 }, { eventType: 'b', payload: 2 }]);
  const text = formatTheaterChain(chain);
  assert.equal(JSON.parse(text), chain);
  assert.is(text.split('\n').length, 5);
  assert.is(formatTheaterChain([]), '[]\n');
  assert.ok(looksLikeTheaterChain(' \n[') && !looksLikeTheaterChain('{"seq":0}'));
});

events('one file per instance: ".<i>" before the extension', () => {
  assert.is(theaterChainPath('/t/chain.json', 0, 1), '/t/chain.json');
  assert.equal([0, 1].map((i) => theaterChainPath('/t/chain.json', i, 2)), ['/t/chain.0.json', '/t/chain.1.json']);
  assert.is(theaterChainPath('out', 3, 4), 'out.3');
  assert.is(theaterChainPath('/a.b/c', 1, 2), '/a.b/c.1');
});

events.run();

const encode = suite('encode: our events as Theater recorded them');

const recorded: TimingEvent[] = [
  { type: 'HandlerSetupStart' },
  { type: 'MonotonicClockNow', instant: U64_MAX },
  { type: 'SubscribeDuration', duration: 0n, pollable: 7, deadline: 5n },
  { type: 'SleepClamped', requested: 0n, applied: 1_000_000n, reason: 'min_sleep_duration' },
  { type: 'SubscribeInstant', when: 9n, pollable: 3, deadline: 9n },
  { type: 'PollReady', pollables: [3, 7, 3, 11], ready_count: 1, indices: [1], waited: 0n },
  { type: 'PollableDrop', pollable: 7 },
  { type: 'SubscribeDuration', duration: 1n, pollable: 7, deadline: 6n },
  { type: 'PollableReady', pollable: 7, ready: false },
  { type: 'PollableBlock', pollable: 7, waited: 1n },
  { type: 'WallClockNow', seconds: 1_700_000_000n, nanoseconds: 5 },
  { type: 'WallClockResolution', seconds: 0n, nanoseconds: 1 },
  { type: 'MonotonicClockResolution', resolution: 1n },
];

encode('host calls: event_type with the imported version, tagged input and output, handles in creation order', () => {
  const records = theaterRecords(recorded, run({ state: Uint8Array.of(1, 2) }));
  const texts = records.map((r) => `${r.eventType} ${compactJson(r.payload)}`);
  const call = (iface: string, fn: string, input: string, output: string): string =>
    `${iface}/${fn} {"category":"HostFunction","interface":"${iface}","function":"${fn}","input":${input},"output":${output}}`;
  const mono = 'wasi:clocks/monotonic-clock@0.2.0';
  const poll = 'wasi:io/poll@0.2.0';
  const wall = 'wasi:clocks/wall-clock@0.2.3'; // not imported: the version this host serves
  assert.equal(texts, [
    'wasm {"category":"Wasm","WasmCall":{"function_name":"theater:simple/actor.init","params":[91,49,44,50,93]}}',
    call(mono, 'now', '{"Tuple":[]}', '{"U64":18446744073709551615}'),
    call(mono, 'subscribe-duration', '{"U64":0}', '{"Tuple":[{"U32":0},{"U64":5}]}'),
    call(mono, 'subscribe-instant', '{"U64":9}', '{"U32":1}'),
    call(poll, 'poll', '{"List":[{"U32":1},{"U32":0},{"U32":1},{"U32":2}]}', '{"List":[{"U32":1}]}'),
    call(mono, 'subscribe-duration', '{"U64":1}', '{"Tuple":[{"U32":3},{"U64":6}]}'),
    call(poll, '[method]pollable.ready', '{"U32":3}', '{"Bool":false}'),
    call(poll, '[method]pollable.block', '{"U32":3}', '{"Tuple":[]}'),
    call(wall, 'now', '{"Tuple":[]}', '{"Tuple":[{"U64":1700000000},{"U32":5}]}'),
    call(wall, 'resolution', '{"Tuple":[]}', '{"Tuple":[{"U64":0},{"U32":1}]}'),
    call(mono, 'resolution', '{"Tuple":[]}', '{"U64":1}'),
    'wasm {"category":"Wasm","WasmResult":{"function_name":"theater:simple/actor.init","result":[null,[110,117,108,108]]}}',
    'shutdown {"category":"Wasm","WasmCall":{"function_name":"shutdown","params":[]}}',
  ]);
});

encode('init: state bytes in the result, err and trap as WasmError; the chain verifies', () => {
  const ok = theaterRecords([], run({ outcome: { status: 'ok', state: Uint8Array.of(104, 105) } }));
  assert.is(compactJson(ok[0].payload), '{"category":"Wasm","WasmCall":{"function_name":"theater:simple/actor.init","params":[110,117,108,108]}}');
  assert.is(compactJson(ok[1].payload), '{"category":"Wasm","WasmResult":{"function_name":"theater:simple/actor.init","result":[[104,105],[110,117,108,108]]}}');
  for (const status of ['err', 'trap'] as const) {
    const failed = theaterRecords([], run({ outcome: { status, error: 'boom "x"' } }));
    assert.is(compactJson(failed[1].payload), '{"category":"Wasm","WasmError":{"function_name":"theater:simple/actor.init","message":"boom \\"x\\""}}');
  }
  const chain = buildTheaterChain(recorded, run());
  const verdict = verifyTheaterChain(formatTheaterChain(chain));
  assert.ok(verdict.ok, verdict.firstError?.message);
  assert.is(verdict.events, 13);
  assert.is(importedName(['wasi:io/poll'], 'wasi:io/poll'), 'wasi:io/poll');
});

encode('a state init returns that is too large for chain.json is recorded as a WasmError saying so; theaterStateError names the bound', () => {
  const big = new Uint8Array(MAX_THEATER_STATE_BYTES + 1);
  const [result] = new TheaterEncoder([], null).closing({ status: 'ok', state: big });
  assert.equal(result.payload, { category: 'Wasm', WasmError: { function_name: 'theater:simple/actor.init', message: `init returned a state of ${big.length} bytes, too large for chain.json (at most ${MAX_THEATER_STATE_BYTES})` } });
  assert.is(theaterStateError(big.subarray(1)), null);
  assert.is(theaterStateError(null), null);
  assert.match(theaterStateError(big) ?? '', /^the state \(262145 bytes\) is too large for Theater's chain\.json/);
});

encode.run();

const verify = suite('verify: Theater chains');

const good = formatTheaterChain(buildTheaterChain(recorded, run()));
const parsed = (): Array<Record<string, unknown>> => JSON.parse(good) as Array<Record<string, unknown>>;
const firstError = (chain: unknown): string => {
  const result = verifyTheaterChain(typeof chain === 'string' ? chain : JSON.stringify(chain));
  assert.not.ok(result.ok);
  return `${result.firstError?.index}: ${result.firstError?.message}`;
};
/** A chain whose event `index` carries `payload`, every hash recomputed so only the payload is wrong. */
const withPayload = (index: number, eventType: string, payload: unknown): unknown => {
  const records = JSON.parse(good).map((e: { event_type: string; data: number[] }) => ({ eventType: e.event_type, payload: parseJsonExact(decode(e.data)) }));
  records[index] = { eventType, payload };
  return linkTheaterEvents(records);
};

verify('a good chain: summary by event_type', () => {
  const result = verifyTheaterChain(good);
  assert.ok(result.ok);
  const summary = formatTheaterSummary(result);
  assert.match(summary, /^theater chain ok: 13 events, head [0-9a-f]{12}\n {2}wasm {2,}2\n/);
  assert.match(summary, /wasi:io\/poll@0\.2\.0\/poll +1/);
  assert.match(formatTheaterSummary(verifyTheaterChain('[]')), /^theater chain INVALID: event 0: no events: an empty array is no chain/);
});

verify('JSON and envelope errors name the event index', () => {
  assert.match(firstError('[{'), /^0: the file ends inside the array/);
  assert.match(firstError('[{]'), /^0: invalid JSON: /);
  assert.is(firstError('[1]'), '0: expected an object, got 1 (number)');
  const cases: Array<[(events: Array<Record<string, unknown>>) => void, string]> = [
    [(e) => { e[2].extra = 1; }, '2: extra: unknown field (known: hash, parent_hash, event_type, data)'],
    [(e) => { delete e[1].data; }, '1: data: missing'],
    [(e) => { e[3].hash = [1, 2]; }, '3: hash: expected 20 numbers in 0..255, got [1,2] (array)'],
    [(e) => { e[3].parent_hash = 'x'; }, '3: parent_hash: expected null or 20 numbers in 0..255, got "x" (string)'],
    [(e) => { e[4].event_type = ''; }, '4: event_type: expected a non-empty string, got "" (string)'],
    [(e) => { e[4].data = [256]; }, '4: data: expected an array of numbers in 0..255, got [256] (array)'],
    [(e) => { e.splice(2, 1); }, '2: parent_hash'],
    [(e) => { e[0].parent_hash = e[1].hash; }, '0: parent_hash'],
    [(e) => { (e[5].data as number[])[20] ^= 1; }, '5: hash mismatch: event says '],
  ];
  for (const [mutate, expected] of cases) {
    const events = parsed();
    mutate(events);
    assert.ok(firstError(events).startsWith(expected), `${firstError(events)} / ${expected}`);
  }
  assert.is(firstError({ a: 1 }), '0: expected a JSON array of events: the file starts with "{"');
});

verify('the ends: no events, a cut beginning, a cut end; duplicate keys; payload bytes not as Theater writes them', () => {
  const events = parsed();
  assert.match(firstError(events.slice(3)), /^0: parent_hash [0-9a-f]{12}: the first event's parent_hash must be null \(a chain whose beginning was cut/);
  assert.match(firstError(events.slice(0, -1)), /^12: the last event is "wasi:io\/poll@0\.2\.0\/\S+"|^12: the last event is "wasm", not "shutdown": the chain was cut short after 12 events$/);
  assert.is(firstError(good.replace('{"hash":', '{"hash":[1],"hash":')), '0: duplicate key "hash"');
  // A quote in event_type: the quote count cannot tell, the full scan does.
  const twenty = `[${new Array(20).fill(0).join(',')}]`;
  assert.is(firstError(good.replace('"event_type":"wasm"', `"event_type":"w\\"asm","hash":${twenty}`)), '0: duplicate key "hash"');
  assert.match(firstError(good.replace('"event_type":"wasm"', '"event_type":"w\\"asm"')), /^0: hash mismatch/);
  assert.match(firstError('[1,{]'), /^0: expected an object, got 1 \(number\)/);
  // An unreadable event, then the rest: the next link cannot be checked against it, and says so.
  const broken = verifyTheaterChain(`[{],${JSON.stringify(events.slice(1)).slice(1)}`);
  assert.match(broken.firstError?.message ?? '', /^invalid JSON/);
  assert.is(broken.errors, 2);
  const now = (output: string): unknown => {
    const iface = 'wasi:clocks/monotonic-clock@0.2.0';
    const text = `{"category":"HostFunction","interface":"${iface}","function":"now","input":{"Tuple":[]},"output":${output}}`;
    const records = JSON.parse(good).map((e: { event_type: string; data: number[] }) => ({ eventType: e.event_type, data: e.data }));
    records[3] = { eventType: `${iface}/now`, data: [...Buffer.from(text)] };
    let parent: number[] | null = null;
    return records.map((r: { eventType: string; data: number[] }) => {
      const hash = theaterHash(parent, r.eventType, r.data);
      const event = { hash, parent_hash: parent, event_type: r.eventType, data: r.data };
      parent = hash;
      return event;
    });
  };
  assert.ok(verifyTheaterChain(JSON.stringify(now('{"U64":18446744073709551615}'))).ok);
  assert.is(firstError(now('{"U64":1e3}')), '3: data: not the compact JSON Theater writes (spacing, escapes, or a number not written as plain digits)');
  assert.is(firstError(now('{"U64":1,"U64":2}')), '3: data: duplicate key "U64"');
  assert.is(firstError(now('{"U64":100000000000000000000000000000}')), '3: data.output.U64: expected an integer in 0..2^64-1, got 100000000000000000000000000000');
});

verify('WASI 0.3 calls (our records) are checked like 0.2 ones', () => {
  const host = (iface: string, fn: string, input: unknown, output: unknown) =>
    withPayload(3, `${iface}/${fn}`, { category: 'HostFunction', interface: iface, function: fn, input, output });
  assert.ok(verifyTheaterChain(JSON.stringify(host('wasi:clocks/monotonic-clock@0.3.0', 'wait-for', u64(5n), UNIT))).ok);
  assert.ok(verifyTheaterChain(JSON.stringify(host('wasi:clocks/system-clock@0.3.0', 'now', UNIT, { Tuple: [u64(1n), { U32: 2 }] }))).ok);
  assert.is(firstError(host('wasi:clocks/system-clock@0.3.0', 'get-resolution', UNIT, UNIT)), '3: data.output: not the shape get-resolution records (U64)');
});

verify('payloads of our event types are checked; other handlers\' payloads are not', () => {
  const host = (fn: string, input: unknown, output: unknown, iface = 'wasi:clocks/monotonic-clock@0.2.0', category = 'HostFunction') =>
    withPayload(3, `${iface}/${fn}`, { category, interface: iface, function: fn, input, output });
  assert.is(firstError(host('now', UNIT, { U32: 1 })), '3: data.output: not the shape now records (U64)');
  assert.is(firstError(host('now', { Tuple: [1] }, u64(1n))), '3: data.input.Tuple[0]: expected a tagged value such as {"U64":n}, got 1');
  assert.is(firstError(host('now', UNIT, u64(1n), undefined, 'Wasm')), '3: data.category: expected "HostFunction", got "Wasm" (string)');
  assert.is(firstError(host('sleep', UNIT, UNIT)), '3: event_type: unknown function "sleep" of wasi:clocks/monotonic-clock');
  assert.is(firstError(withPayload(3, 'wasi:io/poll@0.2.0/poll', { category: 'HostFunction', interface: 'wasi:io/poll@0.2.3', function: 'poll' })),
    '3: data.interface: expected "wasi:io/poll@0.2.0" (from event_type), got "wasi:io/poll@0.2.3" (string)');
  assert.is(firstError(withPayload(3, 'wasi:io/poll@0.2.0/poll', { category: 'HostFunction', interface: 'wasi:io/poll@0.2.0', function: 'ready' })),
    '3: data.function: expected "poll" (from event_type), got "ready" (string)');
  assert.is(firstError(withPayload(3, 'wasm', [1])), '3: data: expected a JSON object, got [1] (array)');
  assert.is(firstError(withPayload(3, 'wasm', { category: 'HostFunction' })), '3: data.category: expected "Wasm", got "HostFunction" (string)');
  assert.is(firstError(withPayload(3, 'wasm', { category: 'Wasm' })), '3: data: expected exactly one of WasmCall, WasmResult, WasmError, got none');
  assert.is(firstError(withPayload(3, 'wasm', { category: 'Wasm', WasmCall: {} })), '3: data.WasmCall.function_name: expected a string');
  assert.is(firstError(withPayload(3, 'wasm', { category: 'Wasm', WasmCall: { function_name: 'f', params: [300] } })), '3: data.WasmCall.params: expected an array of bytes');
  assert.is(firstError(withPayload(3, 'wasm', { category: 'Wasm', WasmResult: { function_name: 'f', result: 1 } })), '3: data.WasmResult.result: expected an array');
  assert.is(firstError(withPayload(3, 'wasm', { category: 'Wasm', WasmError: { function_name: 'f' } })), '3: data.WasmError.message: expected a string');
  assert.is(firstError(withPayload(3, 'shutdown', { category: 'Wasm', WasmCall: { function_name: 'init', params: [] } })), '3: data: a shutdown event holds WasmCall "shutdown"');
  const events = parsed();
  events[3].data = [0xff];
  events[3].hash = theaterHash(events[3].parent_hash as number[], events[3].event_type as string, [0xff]);
  assert.match(firstError(events), /^3: data: not the UTF-8 bytes of a JSON payload \(/);
  const foreign = withPayload(3, 'theater:simple/runtime/log', 'any bytes at all');
  assert.ok(verifyTheaterChain(JSON.stringify(foreign)).ok);
});

verify('errors after the first are counted', () => {
  const events = parsed();
  (events[2].data as number[])[0] ^= 1;
  (events[6].data as number[])[0] ^= 1;
  const result = verifyTheaterChain(JSON.stringify(events));
  assert.is(result.errors, 2);
  assert.match(formatTheaterSummary(result), /^theater chain INVALID: event 2: hash mismatch: .*\n2 errors in 13 events\n/);
});

verify.run();
