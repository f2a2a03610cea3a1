// verify and the replay agree on malformed chains. A seeded fuzz grows a corpus
// from valid chains of both formats (byte flips, cuts at every record boundary
// and around it, records dropped from either end, duplicate keys outside and
// inside hashed payloads, out-of-range integers under a valid hash, a removed
// ChainEnd or shutdown, reordered records) and asserts, case by case, that
// `verify` and the replay's reader both refuse or both accept. Re-run a failure
// with CHAIN_FUZZ_SEED=<the seed printed>.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, chainEnd, chainLineText, formatChainJsonl, hashEvent } from '../../src/events/chain.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { buildTheaterChain, type TheaterRun } from '../../src/events/theater/encode.ts';
import { formatTheaterChain, theaterEventText, theaterHash, type TheaterEvent } from '../../src/events/theater/event.ts';
import { verifyTheaterChain } from '../../src/events/theater/verify.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import type { WireEvent } from '../../src/events/wire.ts';
import { parseRecording, RecordingError } from '../../src/replay/load.ts';
import { makeRandom, seedFrom } from '../support/random.ts';
import { ALL_EVENTS } from './fixture.ts';

const SEED = seedFrom('CHAIN_FUZZ_SEED', 'chain fuzz');
const random = makeRandom(SEED);
const below = (n: number): number => Math.floor(random() * n);

const IDENTITY: TimingEvent = {
  type: 'ActorIdentity', name: 'fuzz', version: '0.1.0', instance: 0, component_sha256: 'ab'.repeat(32), handlers: 'timing',
  limits: '', mode: 'jspi', clock: 'real', init_state_sha256: '', init_state_source: '', init_state: '',
};
const EVENTS: TimingEvent[] = [IDENTITY, ...ALL_EVENTS];
const JSONL = formatChainJsonl(buildChain([...EVENTS, chainEnd(EVENTS, 'ok')]));
const RUN: TheaterRun = { imports: ['wasi:io/poll@0.2.0'], state: Uint8Array.of(1, 2), outcome: { status: 'ok', state: null } };
const THEATER_EVENTS = buildTheaterChain(ALL_EVENTS, RUN);
const THEATER = formatTheaterChain(THEATER_EVENTS);

type Verdict = 'accept' | 'refuse';
const verdictOf = (ok: boolean): Verdict => (ok ? 'accept' : 'refuse');
function replayVerdict(text: string): Verdict {
  try {
    parseRecording(text);
    return 'accept';
  } catch (error) {
    if (!(error instanceof RecordingError)) throw error;
    return 'refuse';
  }
}

/** One case: both readers' verdicts, which must agree; returns verify's. */
function agree(text: string, what: string, theater: boolean): Verdict {
  const verify = verdictOf(theater ? verifyTheaterChain(text).ok : verifyChain(text).ok);
  const replay = replayVerdict(text);
  if (verify !== replay) assert.unreachable(`seed ${SEED} (CHAIN_FUZZ_SEED=${SEED}): ${what}: verify ${verify}s, replay ${replay}s\n${text.slice(0, 400)}`);
  return verify;
}

/** Byte offsets where a record ends (after its "\n" or its element), and the records' spans. */
function boundaries(text: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) at.push(i, i + 1);
  return at;
}

function flip(text: string): string {
  const bytes = Buffer.from(text);
  bytes[below(bytes.length)] ^= 1 << below(8);
  return new TextDecoder().decode(bytes); // bytes that are not UTF-8 become U+FFFD: the file tests cover raw bytes
}

/** The common corpus: flips, cuts at and around every boundary, random cuts. Returns [text, what] pairs. */
function mangled(text: string): Array<[string, string]> {
  const cases: Array<[string, string]> = [];
  for (let i = 0; i < 300; i++) cases.push([flip(text), `byte flip ${i}`]);
  for (const at of boundaries(text)) for (const cut of [at - 1, at, at + 1]) cases.push([text.slice(0, cut), `cut at ${cut}`], [text.slice(cut), `prefix cut at ${cut}`]);
  for (let i = 0; i < 100; i++) {
    const cut = below(text.length);
    cases.push([text.slice(0, cut), `random cut at ${cut}`]);
  }
  return cases;
}

/** A JSON Lines chain from wire events, hashed as written (values unchecked): forged but well linked. */
function forgedJsonl(events: WireEvent[]): string {
  let parent: string | null = null;
  return events.map((event, seq) => {
    const hash = hashEvent(parent, event);
    const line = chainLineText({ seq, parent, hash, handler: 'timing', event });
    parent = hash;
    return line;
  }).join('');
}

test('JSON Lines: verify and the replay refuse and accept the same chains', () => {
  assert.is(agree(JSONL, 'the valid chain', false), 'accept');
  let refused = 0;
  for (const [text, what] of mangled(JSONL)) if (agree(text, what, false) === 'refuse') refused++;
  const lines = JSONL.trimEnd().split('\n');
  const wire = lines.map((l) => (JSON.parse(l) as { event: Record<string, unknown> }).event);
  const targeted: Array<[string, string]> = [
    [`${lines.slice(0, -1).join('\n')}\n`, 'ChainEnd removed'],
    [forgedJsonl(wire.map((e) => (e.type === 'ChainEnd' ? { ...e, outcome: 'fine' } : e)) as WireEvent[]), 'malformed ChainEnd'],
    [forgedJsonl(wire.map((e) => (e.type === 'ChainEnd' ? { ...e, events: 3 } : e)) as WireEvent[]), 'ChainEnd counting wrong'],
    [JSONL.replace('"seq":3,', '"seq":3,"seq":3,'), 'duplicate key'],
    [JSONL.replace('"instant":"5000000000"', '"instant":"5000000000","instant":"5000000000"'), 'duplicate key in the hashed event'],
    [forgedJsonl(wire.map((e) => (e.type === 'MonotonicClockNow' ? { ...e, instant: '18446744073709551616' } : e)) as WireEvent[]), 'u64 past 2^64-1'],
    [forgedJsonl(wire.map((e) => (e.type === 'PollableReady' ? { ...e, pollable: 2 ** 32 } : e)) as WireEvent[]), 'u32 past 2^32-1'],
    [forgedJsonl(wire.map((e) => (e.type === 'MonotonicClockNow' ? { ...e, instant: '-1' } : e)) as WireEvent[]), 'negative u64'],
  ];
  for (let i = 0; i < 20; i++) {
    const a = 1 + below(lines.length - 2);
    const swapped = [...lines];
    [swapped[a], swapped[a + 1]] = [swapped[a + 1], swapped[a]];
    targeted.push([`${swapped.join('\n')}\n`, `lines ${a} and ${a + 1} swapped`]);
  }
  for (const [text, what] of targeted) assert.is(agree(text, what, false), 'refuse', what);
  assert.ok(refused > 300, `${refused} mangled chains refused`);
});

/** Theater events from payload texts, hashed as written: forged but well linked. */
function forgedTheater(records: Array<[string, string]>): string {
  let parent: number[] | null = null;
  const events: TheaterEvent[] = records.map(([eventType, payload]) => {
    const data = [...Buffer.from(payload)];
    const hash = theaterHash(parent, eventType, data);
    const event = { hash, parent_hash: parent, event_type: eventType, data };
    parent = hash;
    return event;
  });
  return formatTheaterChain(events);
}

test('Theater\'s chain.json: verify and the replay refuse and accept the same chains', () => {
  assert.is(agree(THEATER, 'the valid chain', true), 'accept');
  let refused = 0;
  for (const [text, what] of mangled(THEATER)) if (agree(text, what, true) === 'refuse') refused++;
  const records = THEATER_EVENTS.map((e): [string, string] => [e.event_type, Buffer.from(e.data).toString('utf8')]);
  const now = records.findIndex(([type]) => type.endsWith('/now') && type.includes('monotonic'));
  const withPayload = (payload: string): Array<[string, string]> => records.map((r, i) => (i === now ? [r[0], payload] : r));
  const nowPayload = (output: string): string => `{"category":"HostFunction","interface":"${records[now][0].split('/now')[0]}","function":"now","input":{"Tuple":[]},"output":${output}}`;
  const lines = THEATER.trimEnd().split('\n').slice(1, -1).map((l) => l.replace(/,$/, ''));
  const array = (elements: string[]): string => `[\n${elements.join(',\n')}\n]\n`;
  const targeted: Array<[string, string]> = [
    ['[]\n', 'an empty array'],
    ['[ ]', 'an empty array, spaced'],
    [array(lines.slice(0, -1)), 'shutdown removed'],
    [array(lines.slice(1)), 'the first event removed (prefix cut at a boundary)'],
    [array(lines.slice(0, 5)), 'only the first five events'],
    [`${THEATER}[]`, 'bytes after the array'],
    [THEATER.replace('\n]', ',\n]'), 'a trailing comma'],
    [THEATER.replace('{"hash":', '{"hash":[0],"hash":'), 'duplicate key in an event'],
    [forgedTheater(withPayload(nowPayload('{"U64":100000000000000000000000000000}'))), 'U64 1e29 as digits'],
    [forgedTheater(withPayload(nowPayload('{"U64":1e29}'))), 'U64 1e29'],
    [forgedTheater(withPayload(nowPayload('{"U64":-1e20}'))), 'U64 -1e20'],
    [forgedTheater(withPayload(nowPayload('{"U64":18446744073709551616}'))), 'U64 2^64'],
    [forgedTheater(withPayload(nowPayload('{"U64":1e3}'))), 'U64 not written as digits'],
    [forgedTheater(withPayload(nowPayload('{"U64":5,"U64":6}'))), 'duplicate key inside the hashed payload'],
    [forgedTheater(withPayload(nowPayload('{"U64":5}').replace('"function":"now"', '"function":"now","function":"now"'))), 'duplicate function inside the hashed payload'],
  ];
  for (let i = 0; i < 20; i++) {
    const a = below(lines.length - 1);
    const swapped = [...lines];
    [swapped[a], swapped[a + 1]] = [swapped[a + 1], swapped[a]];
    targeted.push([array(swapped), `events ${a} and ${a + 1} swapped`]);
  }
  for (const [text, what] of targeted) assert.is(agree(text, what, true), 'refuse', what);
  // The control: the forging helper itself makes chains both accept.
  assert.is(agree(forgedTheater(withPayload(nowPayload('{"U64":18446744073709551615}'))), 'U64 2^64-1', true), 'accept');
  assert.is(agree(array(lines), 'the chain re-joined', true), 'accept');
  assert.ok(theaterEventText(THEATER_EVENTS[0]).startsWith('{"hash":['));
  assert.ok(refused > 300, `${refused} mangled chains refused`);
});

test.run();
