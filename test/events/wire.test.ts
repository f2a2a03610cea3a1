import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_SCHEMA, fieldsOf } from '../../src/events/schema.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { toWire } from '../../src/events/wire.ts';
import { ALL_EVENTS, P3_EVENTS, RUN_EVENTS, WASI_EVENTS } from './fixture.ts';
import { wireEventError } from '../../src/events/shape.ts';

const wire = suite('toWire');

wire('u64 as decimal strings, u32 and counts as numbers, for every type', () => {
  assert.equal(ALL_EVENTS.map(toWire), [
    { type: 'HandlerSetupStart' },
    { type: 'HandlerSetupSuccess' },
    { type: 'LinkerInstanceSuccess' },
    { type: 'WallClockNow', seconds: '1790000000', nanoseconds: 123456789 },
    { type: 'WallClockResolution', seconds: '0', nanoseconds: 1000 },
    { type: 'MonotonicClockNow', instant: '5000000000' },
    { type: 'MonotonicClockResolution', resolution: '1' },
    { type: 'SleepClamped', requested: '0', applied: '1000000', reason: 'min_sleep_duration' },
    { type: 'SubscribeInstant', when: '4000000000', pollable: 0, deadline: '5001000000' },
    { type: 'SubscribeDuration', duration: '100000000', pollable: 1, deadline: '5100000000' },
    { type: 'PollableReady', pollable: 0, ready: true },
    { type: 'PollableBlock', pollable: 1, waited: '99500000' },
    { type: 'PollReady', pollables: [0, 1], ready_count: 2, indices: [0, 1], waited: '0' },
    { type: 'PollableDrop', pollable: 0 },
    { type: 'MonotonicClockNow', instant: '18446744073709551615' },
  ]);
});

wire('the fixture covers every type in the schema (ChainEnd is the runtime\'s, added when a chain is closed)', () => {
  assert.equal(new Set([...ALL_EVENTS.map((e) => e.type), ...P3_EVENTS.map((e) => e.type), ...RUN_EVENTS.map((e) => e.type), ...WASI_EVENTS.map((e) => e.type), 'ChainEnd']), new Set(Object.keys(EVENT_SCHEMA)));
  assert.equal(P3_EVENTS.map(toWire), [
    { type: 'MonotonicClockGetResolution', resolution: '1' },
    { type: 'WaitFor', duration: '100000000', deadline: '5100000000' },
    { type: 'WaitUntil', when: '4000000000', deadline: '5001000000' },
    { type: 'SystemClockNow', seconds: '1790000000', nanoseconds: 123456789 },
    { type: 'SystemClockResolution', resolution: '1000' },
  ]);
  assert.equal(WASI_EVENTS.map(toWire), [
    { type: 'RandomBytes', source: 'random', len: '4', bytes: '00ff10ab' },
    { type: 'RandomU64', source: 'insecure', value: '18446744073709551615' },
    { type: 'InsecureSeed', low: '1', high: '2' },
    { type: 'OutputWrite', stream: 'stdout', length: '5', bytes: '68690a' },
  ]);
  assert.equal(toWire({ type: 'ChainEnd', events: 3, outcome: 'trap', message: 'wasi trap: x' }), { type: 'ChainEnd', events: 3, outcome: 'trap', message: 'wasi trap: x' });
});

wire('key order is canonical (schema order), whatever order the event was built in', () => {
  const scrambled = { deadline: 9n, pollable: 3, type: 'SubscribeDuration', duration: 7n } as TimingEvent;
  assert.is(JSON.stringify(toWire(scrambled)), '{"type":"SubscribeDuration","duration":"7","pollable":3,"deadline":"9"}');
});

wire('copies arrays and drops stray properties', () => {
  const indices = [2];
  const event = { type: 'PollReady', pollables: [4, 5, 6], ready_count: 1, indices, waited: 0n, extra: 1 } as TimingEvent;
  const out = toWire(event);
  indices.push(5);
  assert.equal(out, { type: 'PollReady', pollables: [4, 5, 6], ready_count: 1, indices: [2], waited: '0' });
});

wire('an unknown type is a programming error', () => {
  assert.throws(() => toWire({ type: 'Nope' } as unknown as TimingEvent), /toWire: unknown event type "Nope"/);
  assert.is(fieldsOf('toString'), undefined);
});

wire('bytes are checked as lowercase hex when read back', () => {
  for (const event of WASI_EVENTS) assert.is(wireEventError(toWire(event)), null);
  assert.is(wireEventError({ type: 'RandomBytes', source: 'random', len: '1', bytes: 'f' }), 'event.bytes: expected bytes as lowercase hex, got "f" (string)');
  assert.is(wireEventError({ type: 'OutputWrite', stream: 'stdout', length: '1', bytes: 'AB' }), 'event.bytes: expected bytes as lowercase hex, got "AB" (string)');
  assert.is(wireEventError({ type: 'OutputWrite', stream: 'stdout', length: '1', bytes: 7 }), 'event.bytes: expected bytes as lowercase hex, got 7 (number)');
});

wire.run();
