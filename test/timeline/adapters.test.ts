// The two format adapters and the exact JSON reader: every call they map, and
// a clear error naming the line or event and the field for bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimelineInputError } from '../../src/timeline/calls.ts';
import { parseJsonExact } from '../../src/base/exact-json.ts';
import { fromJsonl } from '../../src/timeline/jsonl-adapter.ts';
import { fromTheater, showTagged } from '../../src/timeline/theater-adapter.ts';
import { hostCall, theaterChain } from './fixtures.ts';

const MONO = 'wasi:clocks/monotonic-clock@0.2.3';
const WALL = 'wasi:clocks/wall-clock@0.2.3';
const POLL = 'wasi:io/poll@0.2.3';

const line = (event: object, extra: object = {}): string => JSON.stringify({ seq: 0, parent: null, hash: 'x', handler: 'timing', event, ...extra });

const rejects = (run: () => unknown, message: RegExp): void => {
  assert.throws(run, (e: unknown) => e instanceof TimelineInputError && message.test(e.message), String(message));
};

test('jsonl: a fleet header is skipped; instance-tagged lines become one chain per instance, in first-seen order, interleaved or not', () => {
  const text = [
    line({ type: 'MonotonicClockNow', instant: '5' }, { instance: 1 }),
    line({ type: 'HandlerSetupStart' }, { seq: 0, instance: 0 }),
    '',
    line({ type: 'PollReady', ready_count: 1, indices: [0], waited: '9' }, { seq: 1, instance: 1 }),
  ].join('\n');
  const chains = fromJsonl(`{"fleet":{"instances":2}}\n${text}`, 'f.jsonl');
  assert.equal(chains.map((c) => [c.label, c.instance, c.events.map((e) => [e.index, e.line, e.type])]), [
    ['instance 1', 1, [[0, 2, 'MonotonicClockNow'], [1, 5, 'PollReady']]],
    ['instance 0', 0, [[0, 3, 'HandlerSetupStart']]],
  ]);
  assert.equal(chains[0].events[1].call, { kind: 'poll', pollables: null, indices: [0], waitedNs: 9n });
  assert.equal(chains[0].events[1].fields, { ready_count: 1, indices: [0], waited: '9' });
  assert.is(fromJsonl(line({ type: 'HandlerSetupStart' }), 'one.jsonl')[0].label, 'one.jsonl');
});

test('jsonl: every event type maps to its call; unknown types draw as other events', () => {
  const calls = [
    { type: 'WallClockNow', seconds: '1790000000', nanoseconds: 5 },
    { type: 'WallClockResolution', seconds: '0', nanoseconds: 1 },
    { type: 'MonotonicClockResolution', resolution: '1' },
    { type: 'SubscribeInstant', when: '18446744073709551615', pollable: 2, deadline: '7' },
    { type: 'SleepClamped', requested: '0', applied: '1000000', reason: 'min_sleep_duration' },
    { type: 'PollableReady', pollable: 2, ready: true },
    { type: 'PollableBlock', pollable: 2, waited: '3' },
    { type: 'PollableDrop', pollable: 2 },
    { type: 'ChainEnd', events: 8, outcome: 'err', message: 'nope' },
    { type: 'SomethingNewer', x: 1 },
    { type: 'PollReady', pollables: [4, 2], ready_count: 1, indices: [1], waited: '0' },
  ].map((e) => fromJsonl(line(e), 'f')[0].events[0].call);
  assert.equal(calls, [
    { kind: 'wall', seconds: 1_790_000_000n, nanoseconds: 5 },
    { kind: 'resolution' },
    { kind: 'resolution' },
    { kind: 'subscribe', pollable: 2, durationNs: null, whenNs: 18_446_744_073_709_551_615n, deadlineNs: 7n },
    { kind: 'clamp', requestedNs: 0n, appliedNs: 1_000_000n, reason: 'min_sleep_duration' },
    { kind: 'ready', pollable: 2, ready: true },
    { kind: 'block', pollable: 2, waitedNs: 3n },
    { kind: 'drop', pollable: 2 },
    { kind: 'end', outcome: 'err', message: 'nope' },
    { kind: 'other' },
    { kind: 'poll', pollables: [4, 2], indices: [1], waitedNs: 0n },
  ]);
});

test('jsonl: bad input names the line and the field', () => {
  rejects(() => fromJsonl('{"seq":0', 'f'), /^line 1: JSON: /);
  rejects(() => fromJsonl('[1]', 'f'), /^line 1: line: expected a JSON object, got \[1\] \(array\)$/);
  rejects(() => fromJsonl(`${line({ type: 'HandlerSetupStart' })}\n${line({ type: 'HandlerSetupStart' }, { seq: -1 })}`, 'f'), /^line 2: seq: expected a non-negative integer, got -1/);
  rejects(() => fromJsonl(line({ type: 'HandlerSetupStart' }, { instance: 'a' }), 'f'), /^line 1: instance: expected a non-negative integer, got "a"/);
  rejects(() => fromJsonl(line({ kind: 'x' }), 'f'), /^line 1: event.type: expected an event object with a string type/);
  rejects(() => fromJsonl(line({ type: 'MonotonicClockNow', instant: 5 }), 'f'), /^line 1: event.instant: expected a u64 as a decimal string, got 5 \(number\)$/);
  rejects(() => fromJsonl(line({ type: 'PollableDrop', pollable: -1 }), 'f'), /^line 1: event.pollable: expected a u32 number, got -1/);
  rejects(() => fromJsonl(line({ type: 'PollReady', ready_count: 1, indices: ['0'], waited: '0' }), 'f'), /^line 1: event.indices: expected an array of u32 numbers/);
  rejects(() => fromJsonl(line({ type: 'PollableReady', pollable: 0, ready: 'yes' }), 'f'), /^line 1: event.ready: expected a boolean, got "yes"/);
  rejects(() => fromJsonl(line({ type: 'SleepClamped', requested: '0', applied: '1', reason: 7 }), 'f'), /^line 1: event.reason: expected a string, got 7/);
  rejects(() => fromJsonl(line({ type: 'ChainEnd', events: 0, outcome: 'crashed', message: '' }), 'f'), /^line 1: event.outcome: expected one of ok, err, trap, diverged, got "crashed"/);
});

test('exact JSON: integers past 2^53 stay exact; strings, escapes and small numbers are untouched', () => {
  assert.equal(parseJsonExact('{"U64":18446744073709551615,"s":"12345678901234567890 \\" 99999999999999999","n":-12.5e3,"m":[1,9007199254740993]}'), {
    U64: 18446744073709551615n, s: '12345678901234567890 " 99999999999999999', n: -12500, m: [1, 9007199254740993n],
  });
  assert.equal(parseJsonExact('[1, 2]'), [1, 2]);
});

test('theater: every host call the timing handler recorded, with u64 exact; wasm events give the outcome', () => {
  const text = theaterChain([
    ['wasm', '{"category":"Wasm","WasmCall":{"function_name":"theater:simple/actor.init","params":[110,117,108,108]}}'],
    hostCall(MONO, 'now', '{"Tuple":[]}', '{"U64":18446744073709551610}'),
    hostCall(MONO, 'resolution', '{"Tuple":[]}', '{"U64":1}'),
    hostCall(WALL, 'now', '{"Tuple":[]}', '{"Tuple":[{"U64":1790000000},{"U32":7}]}'),
    hostCall(WALL, 'resolution', '{"Tuple":[]}', '{"Tuple":[{"U64":0},{"U32":1}]}'),
    hostCall(MONO, 'subscribe-duration', '{"U64":5}', '{"Tuple":[{"U32":0},{"U64":18446744073709551615}]}'),
    hostCall(MONO, 'subscribe-instant', '{"U64":9007199254740993}', '{"U32":1}'),
    hostCall(POLL, '[method]pollable.ready', '{"U32":0}', '{"Bool":true}'),
    hostCall(POLL, '[method]pollable.block', '{"U32":1}', '{"Tuple":[]}'),
    hostCall(POLL, 'poll', '{"List":[{"U32":0},{"U32":1}]}', '{"List":[{"U32":1}]}'),
    hostCall('theater:simple/runtime', 'log', '{"Tuple":[]}', '{"Tuple":[]}'),
    ['wasm', '{"category":"Wasm","WasmResult":{"function_name":"theater:simple/actor.init","result":[null,[110,117,108,108]]}}'],
    ['wasm', '{"category":"Wasm","WasmError":{"function_name":"theater:simple/actor.init","message":"wasm trap: unreachable"}}'],
    ['wasm', '{"category":"Wasm","WasmError":{"function_name":"theater:simple/actor.init","message":"bad state"}}'],
    ['shutdown', '{"category":"Wasm","WasmCall":{"function_name":"shutdown","params":[]}}'],
  ]);
  const [chain] = fromTheater(text, 'actor.chain.json');
  assert.is(chain.label, 'actor.chain.json');
  assert.equal(chain.events.map((e) => e.call), [
    { kind: 'other' },
    { kind: 'now', instantNs: 18_446_744_073_709_551_610n },
    { kind: 'resolution' },
    { kind: 'wall', seconds: 1_790_000_000n, nanoseconds: 7 },
    { kind: 'resolution' },
    { kind: 'subscribe', pollable: 0, durationNs: 5n, whenNs: null, deadlineNs: 18_446_744_073_709_551_615n },
    { kind: 'subscribe', pollable: 1, durationNs: null, whenNs: 9_007_199_254_740_993n, deadlineNs: 9_007_199_254_740_993n },
    { kind: 'ready', pollable: 0, ready: true },
    { kind: 'block', pollable: 1, waitedNs: null },
    { kind: 'poll', pollables: [0, 1], indices: [1], waitedNs: null },
    { kind: 'other' },
    { kind: 'end', outcome: 'ok', message: '' },
    { kind: 'end', outcome: 'trap', message: 'wasm trap: unreachable' },
    { kind: 'end', outcome: 'err', message: 'bad state' },
    { kind: 'other' },
  ]);
  assert.equal(chain.events[9].fields, { input: '[0, 1]', output: '[1]' });
  assert.equal(chain.events[1].fields, { input: '()', output: '18446744073709551610' });
  assert.equal(chain.events[0].fields, { function_name: 'theater:simple/actor.init', params: '[110,117,108,108]' });
  assert.is(chain.events[5].type, `${MONO}/subscribe-duration`);
  assert.is(showTagged(7), '7');
});

test('theater: bad input names the event index and the field', () => {
  rejects(() => fromTheater('[', 'f'), /^event 0: the file ends inside the array/);
  rejects(() => fromTheater('[{]', 'f'), /^event 0: invalid JSON: /);
  rejects(() => fromTheater('{}', 'f'), /^event 0: expected a JSON array of events: the file starts with "\{"$/);
  rejects(() => fromTheater('[5]', 'f'), /^event 0: expected an event object, got 5/);
  rejects(() => fromTheater('[{"event_type":1,"data":[]}]', 'f'), /^event 0: event_type: expected a string, got 1/);
  rejects(() => fromTheater('[{"event_type":"x","data":[300]}]', 'f'), /^event 0: data: expected an array of bytes/);
  rejects(() => fromTheater('[{"event_type":"x","data":[123]}]', 'f'), /^event 0: data: the bytes are not JSON/);
  rejects(() => fromTheater(theaterChain([['x', '[1]']]), 'f'), /^event 0: data: expected a JSON object/);
  rejects(() => fromTheater(theaterChain([['x', '{"category":"HostFunction","interface":1}']]), 'f'), /^event 0: data.interface: expected a string/);
  rejects(() => fromTheater(theaterChain([['x', `{"category":"HostFunction","interface":"${MONO}","function":2}`]]), 'f'), /^event 0: data.function: expected a string/);
  const bad = (fn: string, iface: string, input: string, output: string, message: RegExp): void => {
    rejects(() => fromTheater(theaterChain([hostCall(iface, fn, input, output)]), 'f'), message);
  };
  bad('now', MONO, '{"Tuple":[]}', '{"U32":1}', /^event 0: data.output: expected \{"U64":…\}/);
  bad('now', MONO, '{"Tuple":[]}', '{"U64":-1}', /^event 0: data.output: expected \{"U64":n\} with n a u64/);
  bad('subscribe-duration', MONO, '{"U64":1}', '{"Tuple":5}', /^event 0: data.output: expected \{"Tuple":\[…\]\}/);
  bad('subscribe-instant', MONO, '{"U64":1}', '{"U32":1.5}', /^event 0: data.output: expected \{"U32":n\} with n a u32/);
  bad('[method]pollable.ready', POLL, '{"U64":0}', '{"Bool":true}', /^event 0: data.input: expected \{"U32":…\}/);
  rejects(() => fromTheater(theaterChain([hostCall(POLL, '[method]pollable.ready', '{"U32":0}', '{"Bool":1}')]), 'f'), /^event 0: data.output: expected \{"Bool":b\}/);
  rejects(() => fromTheater(theaterChain([hostCall(POLL, 'poll', '{"List":[{"U32":-2}]}', '{"List":[]}')]), 'f'), /^event 0: data.input\[0\]: expected \{"U32":n\} with n a u32/);
  rejects(() => fromTheater(theaterChain([hostCall(POLL, 'poll', '{"List":{}}', '{"List":[]}')]), 'f'), /^event 0: data.input: expected \{"List":\[…\]\}/);
});

test.run();
