import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, chainEnd, fleetHeader, formatChainJsonl, hashEvent } from '../../src/events/chain.ts';
import { formatSummary, verifyChain } from '../../src/events/verify.ts';
import type { WireEvent } from '../../src/events/wire.ts';
import { ALL_EVENTS } from './fixture.ts';

const ENDED = [...ALL_EVENTS, chainEnd(ALL_EVENTS, 'ok')];
const LINES = buildChain(ENDED);
const TEXT = formatChainJsonl(LINES);
const COUNTS = {
  HandlerSetupStart: 1, HandlerSetupSuccess: 1, LinkerInstanceSuccess: 1, WallClockNow: 1, WallClockResolution: 1,
  MonotonicClockNow: 2, MonotonicClockResolution: 1, SleepClamped: 1, SubscribeInstant: 1, SubscribeDuration: 1,
  PollableReady: 1, PollableBlock: 1, PollReady: 1, PollableDrop: 1, ChainEnd: 1,
};
/** A whole chain of the first n events of ALL_EVENTS, closed with ChainEnd. */
const whole = (n: number, instance?: number): string => {
  const events = ALL_EVENTS.slice(0, n);
  return formatChainJsonl(buildChain([...events, chainEnd(events, 'ok')]), { instance });
};

/** A correctly linked and hashed chain over arbitrary (possibly ill-shaped) events. */
function chainOf(events: unknown[]): string {
  let parent: string | null = null;
  return events
    .map((event, seq) => {
      const hash = hashEvent(parent, event as WireEvent);
      const line = { seq, parent, hash, handler: 'timing', event };
      parent = hash;
      return `${JSON.stringify(line)}\n`;
    })
    .join('');
}

const rows = (text: string): string[] => text.trimEnd().split('\n');
const edit = (text: string, index: number, fn: (line: Record<string, unknown>) => void): string => {
  const all = rows(text);
  const line = JSON.parse(all[index]) as Record<string, unknown>;
  fn(line);
  all[index] = JSON.stringify(line);
  return `${all.join('\n')}\n`;
};
const firstError = (text: string): { line: number; message: string } | undefined => verifyChain(text).firstError;

const ok = suite('verifyChain: valid files');

ok('a whole valid chain: counts, head, no error', () => {
  assert.equal(verifyChain(TEXT), {
    ok: true,
    lines: ENDED.length,
    chains: [{ instance: null, lines: ENDED.length, head: LINES.at(-1)?.hash ?? null, countsByType: COUNTS, actor: null }],
    countsByType: COUNTS,
    errors: 0,
  });
});

ok('several instances after a fleet header, interleaved, each its own chain', () => {
  const a = rows(whole(2, 0));
  const b = rows(whole(1, 1));
  const text = `${[fleetHeader(2).trimEnd(), a[0], b[0], a[1], b[1], a[2]].join('\n')}\n`;
  const result = verifyChain(text);
  assert.equal([result.ok, result.lines, result.firstError], [true, 6, undefined]);
  assert.equal(result.chains.map((c) => [c.instance, c.lines]), [[0, 3], [1, 2]]);
  assert.equal(result.countsByType, { HandlerSetupStart: 2, HandlerSetupSuccess: 1, ChainEnd: 2 });
});

ok.run();

const cut = suite('verifyChain: truncation');

cut('an empty file, a cut chain, a missing newline, a fleet missing an instance all fail', () => {
  assert.equal(firstError(''), { line: 1, message: 'no chain: the file is empty' });
  assert.equal(firstError(`${rows(TEXT).slice(0, 10).join('\n')}\n`), { line: 11, message: 'the chain has no ChainEnd: it was cut short after 10 events' });
  assert.equal(firstError(TEXT.trimEnd()), { line: ENDED.length, message: 'the last line has no "\\n": the file was cut short' });
  assert.match(firstError(TEXT.slice(0, -40))?.message ?? '', /^invalid JSON/);
  const fleet = fleetHeader(3) + whole(2, 0) + whole(2, 2);
  assert.equal(firstError(fleet), { line: 8, message: 'instance 1: missing: the fleet header says 3 instances, the file holds 2' });
  assert.equal(firstError(fleetHeader(1) + whole(2, 0) + whole(1, 1)), { line: 5, message: 'instance: 1 is out of range: the fleet header says 1 instances' });
  assert.equal(firstError(whole(2, 0)), { line: 1, message: 'instance: present, but the file has no fleet header (its first line)' });
  assert.equal(firstError(fleetHeader(1) + TEXT), { line: 2, message: 'instance: missing, but the file starts with a fleet header' });
  assert.equal(firstError('{"fleet":{"instances":0}}\n'), { line: 1, message: 'fleet.instances: expected a positive integer, got 0 (number)' });
  assert.equal(firstError(`{"fleet": {"instances":1}}\n${whole(1, 0)}`), { line: 1, message: 'fleet header: not the canonical serialisation {"fleet":{"instances":n}}' });
});

cut('ChainEnd: counts the events before it, and nothing follows it', () => {
  const events = ALL_EVENTS.slice(0, 2);
  const lying = formatChainJsonl(buildChain([...events, { type: 'ChainEnd', events: 5, outcome: 'trap', message: 'x' }]));
  assert.equal(firstError(lying), { line: 3, message: 'ChainEnd.events is 5, but 2 events precede it' });
  const after = formatChainJsonl(buildChain([...events, chainEnd(events, 'err', 'no'), { type: 'HandlerSetupStart' }]));
  assert.equal(firstError(after), { line: 4, message: 'an event after ChainEnd' });
  const bad = formatChainJsonl(buildChain([{ type: 'ChainEnd', events: 0, outcome: 'ok', message: 'm' }])).replace('"ok"', '"fine"');
  assert.match(firstError(bad)?.message ?? '', /^event.outcome: expected one of ok, err, trap, diverged, got "fine"/);
});

cut('any byte sequence but the canonical one fails: spacing, key order, escapes, duplicate keys, CRLF, bad UTF-8', () => {
  const line = rows(TEXT)[5];
  const variants = [
    line.replace('"seq":5', '"seq": 5'),
    line.replace('{"seq":5,"parent"', '{"parent"').replace(',"hash"', `,"seq":5,"hash"`),
    line.replace('"instant":"5000000000"', '"instant":"5000000000","instant":"5000000000"'),
    line.replace('"handler":"timing"', '"handler":"timing","handler":"timing"'),
    line.replace('"type":"MonotonicClockNow"', '"type":"Monotonic\\u0043lockNow"'),
    `${line}\r`,
    `${line} `,
  ];
  for (const variant of variants) {
    const all = rows(TEXT);
    all[5] = variant;
    const error = firstError(`${all.join('\n')}\n`);
    assert.equal(error, { line: 6, message: 'not the canonical serialisation of its values (spacing, key order, escapes or a duplicate key)' }, variant);
  }
});

cut.run();

const tamper = suite('verifyChain: tampering');

tamper('an edited event fails its hash', () => {
  const text = edit(TEXT, 5, (l) => ((l.event as Record<string, unknown>).instant = '5000000001'));
  assert.equal(verifyChain(text).firstError, { line: 6, message: `hash mismatch: line says ${LINES[5].hash.slice(0, 12)}, recomputed ${hashEvent(LINES[4].hash, { type: 'MonotonicClockNow', instant: '5000000001' }).slice(0, 12)}` });
  assert.is(verifyChain(text).errors, 1);
});

tamper('an edited event whose hash is recomputed breaks the next parent link', () => {
  const text = edit(TEXT, 5, (l) => {
    l.event = { type: 'MonotonicClockNow', instant: '1' };
    l.hash = hashEvent(l.parent as string, l.event as WireEvent);
  });
  const error = firstError(text);
  assert.is(error?.line, 7);
  assert.match(error?.message ?? '', /^parent [0-9a-f]{12} does not match the previous hash [0-9a-f]{12}$/);
});

tamper('reordered lines fail seq continuity', () => {
  const all = rows(TEXT);
  [all[2], all[3]] = [all[3], all[2]];
  const result = verifyChain(`${all.join('\n')}\n`);
  assert.equal(result.firstError, { line: 3, message: 'seq 3, expected 2' });
  // Expectation resyncs to each line's own seq: 3 -> (2 != 4) -> (4 != 3).
  assert.is(result.errors, 3);
});

tamper('reordered lines with renumbered seq fail the parent link', () => {
  const all = rows(TEXT);
  [all[2], all[3]] = [all[3], all[2]];
  const text = edit(edit(all.join('\n'), 2, (l) => (l.seq = 2)), 3, (l) => (l.seq = 3));
  assert.equal(firstError(text), { line: 3, message: `parent ${LINES[2].hash.slice(0, 12)} does not match the previous hash ${LINES[1].hash.slice(0, 12)}` });
});

tamper('a broken parent, a null parent mid-chain, a parent on the first line', () => {
  const other = 'f'.repeat(64);
  assert.equal(firstError(edit(TEXT, 4, (l) => (l.parent = other))), { line: 5, message: `parent ffffffffffff does not match the previous hash ${LINES[3].hash.slice(0, 12)}` });
  assert.equal(firstError(edit(TEXT, 4, (l) => (l.parent = null))), { line: 5, message: `parent null does not match the previous hash ${LINES[3].hash.slice(0, 12)}` });
  assert.equal(firstError(edit(TEXT, 0, (l) => (l.parent = other))), { line: 1, message: 'parent ffffffffffff does not match the previous hash null' });
});

tamper('bad seq: a gap, a repeat, a deleted line', () => {
  assert.equal(firstError(edit(TEXT, 0, (l) => (l.seq = 1))), { line: 1, message: 'seq 1, expected 0' });
  assert.equal(firstError(edit(TEXT, 6, (l) => (l.seq = 5))), { line: 7, message: 'seq 5, expected 6' });
  const all = rows(TEXT);
  all.splice(8, 1);
  const result = verifyChain(`${all.join('\n')}\n`);
  assert.equal([result.firstError, result.errors], [{ line: 9, message: 'seq 9, expected 8' }, 1]);
});

tamper('a moved line in a fleet names its instance', () => {
  const text = fleetHeader(2) + formatChainJsonl(LINES.slice(0, 2), { instance: 0 }) + formatChainJsonl(LINES.slice(0, 2), { instance: 1 });
  assert.equal(firstError(edit(text, 4, (l) => (l.instance = 0))), { line: 5, message: 'seq 1, expected 2 (instance 0)' });
  const broken = edit(text, 4, (l) => (l.event = { type: 'HandlerSetupStart' }));
  assert.match(firstError(broken)?.message ?? '', /^hash mismatch: .* \(instance 1\)$/);
});

tamper('mixing tagged and untagged lines is an error', () => {
  const tagged = fleetHeader(1) + formatChainJsonl(LINES.slice(0, 2), { instance: 0 });
  assert.equal(firstError(edit(tagged, 2, (l) => delete l.instance)), { line: 3, message: 'instance: missing, but the file starts with a fleet header' });
  assert.equal(firstError(edit(TEXT, 1, (l) => (l.instance = 0))), { line: 2, message: 'instance: present, but the file has no fleet header (its first line)' });
});

tamper.run();

const shape = suite('verifyChain: line and event shape');

shape('JSON, blank lines and the envelope', () => {
  const line0 = rows(TEXT)[0];
  assert.match(firstError(`${line0}\n{oops\n`)?.message ?? '', /^invalid JSON: /);
  assert.equal(firstError(`${line0}\n\n${rows(TEXT)[1]}`), { line: 2, message: 'empty line' });
  assert.equal(firstError('[1]\n'), { line: 1, message: 'expected a JSON object, got [1] (array)' });
  const cases: Array<[(l: Record<string, unknown>) => void, string]> = [
    [(l) => (l.extra = 1), 'extra: unknown field'],
    [(l) => (l.seq = -1), 'seq: expected a non-negative integer, got -1 (number)'],
    [(l) => delete l.seq, 'seq: expected a non-negative integer, got undefined (undefined)'],
    [(l) => (l.parent = 'abc'), 'parent: expected null or a hex SHA-256, got "abc" (string)'],
    [(l) => (l.hash = (l.hash as string).toUpperCase()), `hash: expected a hex SHA-256, got "${LINES[0].hash.toUpperCase().slice(0, 58)}… (string)`],
    [(l) => (l.handler = ''), 'handler: expected a non-empty string, got "" (string)'],
    [(l) => (l.instance = 1.5), 'instance: expected a non-negative integer, got 1.5 (number)'],
    [(l) => delete l.event, 'event: expected an object, got undefined (undefined)'],
  ];
  for (const [fn, message] of cases) assert.equal(firstError(edit(TEXT, 0, fn)), { line: 1, message });
});

shape('event fields: types, u64 strings and range, u32 range, extras', () => {
  const cases: Array<[unknown, string]> = [
    [{ type: 'Nope' }, 'event.type: unknown event type, got "Nope" (string)'],
    [{ type: 7 }, 'event.type: unknown event type, got 7 (number)'],
    [{ type: 'MonotonicClockNow' }, 'event.instant: missing in MonotonicClockNow'],
    [{ type: 'MonotonicClockNow', instant: 5 }, 'event.instant: expected a u64 as a decimal string, got 5 (number)'],
    [{ type: 'MonotonicClockNow', instant: '05' }, 'event.instant: expected a u64 as a decimal string, got "05" (string)'],
    [{ type: 'MonotonicClockNow', instant: '-1' }, 'event.instant: expected a u64 as a decimal string, got "-1" (string)'],
    [{ type: 'MonotonicClockNow', instant: '18446744073709551616' }, 'event.instant: u64 out of range, got "18446744073709551616" (string)'],
    [{ type: 'MonotonicClockNow', instant: '1', at: 2 }, 'event.at: unknown field in MonotonicClockNow'],
    [{ type: 'WallClockNow', seconds: '1', nanoseconds: 4294967296 }, 'event.nanoseconds: expected a u32 number, got 4294967296 (number)'],
    [{ type: 'WallClockNow', seconds: '1', nanoseconds: '1' }, 'event.nanoseconds: expected a u32 number, got "1" (string)'],
    [{ type: 'PollableReady', pollable: 1, ready: 1 }, 'event.ready: expected a boolean, got 1 (number)'],
    [{ type: 'PollReady', pollables: [0, 1], ready_count: 1, indices: [1, -1], waited: '0' }, 'event.indices: expected an array of u32 numbers, got [1,-1] (array)'],
    [{ type: 'SleepClamped', requested: '0', applied: '1', reason: 'max' }, 'event.reason: expected one of min_sleep_duration, max_sleep_duration, got "max" (string)'],
  ];
  for (const [event, message] of cases) {
    assert.equal(firstError(chainOf([{ type: 'HandlerSetupStart' }, event])), { line: 2, message }, message);
  }
  assert.ok(verifyChain(chainOf([{ type: 'WallClockNow', seconds: '18446744073709551615', nanoseconds: 4294967295 }, { type: 'ChainEnd', events: 1, outcome: 'ok', message: '' }])).ok);
});

shape('counts still cover the whole file after an error', () => {
  const result = verifyChain(edit(TEXT, 14, (l) => (l.seq = 99)));
  assert.equal([result.ok, result.lines, result.errors, result.countsByType], [false, ENDED.length, 3, COUNTS]);
});

shape.run();

const summary = suite('formatSummary');

summary('valid single chain', () => {
  const text = whole(6);
  const result = verifyChain(text);
  assert.is(formatSummary(result), [
    'chain ok: 7 lines, 1 chain',
    `  chain: 7 events, head ${result.chains[0].head?.slice(0, 12)}, no identity record (an older chain)`,
    '  HandlerSetupStart      1',
    '  HandlerSetupSuccess    1',
    '  LinkerInstanceSuccess  1',
    '  WallClockNow           1',
    '  WallClockResolution    1',
    '  MonotonicClockNow      1',
    '  ChainEnd               1',
  ].join('\n'));
});

summary('invalid file, and a fleet beyond ten chains', () => {
  const one = fleetHeader(1) + formatChainJsonl(LINES.slice(0, 1), { instance: 0 });
  assert.is(formatSummary(verifyChain(edit(one, 1, (l) => (l.seq = 2)))), [
    'chain INVALID: line 2: seq 2, expected 0 (instance 0)',
    '2 errors in 2 lines, 1 chain',
    `  instance 0: 1 event, head ${LINES[0].hash.slice(0, 12)}, no identity record (an older chain)`,
    '  HandlerSetupStart  1',
  ].join('\n'));
  let fleet = fleetHeader(12);
  for (let i = 0; i < 12; i++) fleet += whole(0, i);
  const lines = formatSummary(verifyChain(fleet)).split('\n');
  const head = verifyChain(fleet).chains[9].head?.slice(0, 12);
  assert.equal([lines[0], lines[10], lines[11], lines[12], lines.length], ['chain ok: 13 lines, 12 chains', `  instance 9: 1 event, head ${head}, no identity record (an older chain)`, '  … and 2 more chains', '  ChainEnd  12', 13]);
  assert.is(formatSummary(verifyChain('')), 'chain INVALID: line 1: no chain: the file is empty\n1 error in 0 lines, 0 chains');
});

summary.run();
