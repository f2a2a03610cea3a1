import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildChain, formatChainJsonl, hashEvent, parseChainJsonl, writeChainJsonl, writeChainsJsonl } from '../../src/events/chain.ts';
import type { TimingEvent } from '../../src/events/types.ts';
import { toWire } from '../../src/events/wire.ts';
import { ALL_EVENTS } from './fixture.ts';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

const EVENTS: TimingEvent[] = [
  { type: 'HandlerSetupStart' },
  { type: 'MonotonicClockNow', instant: 42n },
  { type: 'PollReady', pollables: [3], ready_count: 1, indices: [0], waited: 18446744073709551615n },
];
const H0 = sha('\n{"type":"HandlerSetupStart"}');
const H1 = sha(`${H0}\n{"type":"MonotonicClockNow","instant":"42"}`);
const H2 = sha(`${H1}\n{"type":"PollReady","pollables":[3],"ready_count":1,"indices":[0],"waited":"18446744073709551615"}`);

const EXPECTED = [
  { seq: 0, parent: null, hash: H0, handler: 'timing', event: { type: 'HandlerSetupStart' } },
  { seq: 1, parent: H0, hash: H1, handler: 'timing', event: { type: 'MonotonicClockNow', instant: '42' } },
  { seq: 2, parent: H1, hash: H2, handler: 'timing', event: { type: 'PollReady', pollables: [3], ready_count: 1, indices: [0], waited: '18446744073709551615' } },
];

const chain = suite('buildChain');

chain('whole chain: seq from 0, parent links, hashes over (parent ?? "") + "\\n" + JSON', () => {
  assert.equal(buildChain(EVENTS), EXPECTED);
});

chain('handler name is carried, not hashed', () => {
  const lines = buildChain(EVENTS, 'clock');
  assert.equal(lines.map((l) => [l.handler, l.hash]), [['clock', H0], ['clock', H1], ['clock', H2]]);
});

chain('empty input gives an empty chain', () => {
  assert.equal(buildChain([]), []);
});

chain('hashEvent matches the definition for every event type', () => {
  let parent: string | null = null;
  for (const line of buildChain(ALL_EVENTS)) {
    assert.is(line.hash, sha(`${parent ?? ''}\n${JSON.stringify(line.event)}`));
    assert.is(hashEvent(parent, line.event), line.hash);
    parent = line.hash;
  }
});

chain('same events give the same chain; one changed event changes every later hash', () => {
  const a = buildChain(ALL_EVENTS).map((l) => l.hash);
  assert.equal(buildChain(ALL_EVENTS).map((l) => l.hash), a);
  const changed = [...ALL_EVENTS];
  changed[3] = { type: 'WallClockNow', seconds: 1_790_000_000n, nanoseconds: 123_456_788 };
  const b = buildChain(changed).map((l) => l.hash);
  assert.equal(b.slice(0, 3), a.slice(0, 3));
  assert.ok(b.slice(3).every((hash, i) => hash !== a[3 + i]));
});

chain.run();

const jsonl = suite('JSON Lines');

jsonl('formatChainJsonl: one line each, fixed key order, instance last and outside the hash', () => {
  const lines = buildChain(EVENTS.slice(0, 2));
  assert.is(
    formatChainJsonl(lines),
    `{"seq":0,"parent":null,"hash":"${H0}","handler":"timing","event":{"type":"HandlerSetupStart"}}\n` +
      `{"seq":1,"parent":"${H0}","hash":"${H1}","handler":"timing","event":{"type":"MonotonicClockNow","instant":"42"}}\n`,
  );
  assert.is(
    formatChainJsonl(lines, { instance: 3 }),
    `{"seq":0,"parent":null,"hash":"${H0}","handler":"timing","event":{"type":"HandlerSetupStart"},"instance":3}\n` +
      `{"seq":1,"parent":"${H0}","hash":"${H1}","handler":"timing","event":{"type":"MonotonicClockNow","instant":"42"},"instance":3}\n`,
  );
  assert.is(formatChainJsonl([]), '');
});

jsonl('formatChainJsonl replaces an instance already on the lines', () => {
  const tagged = buildChain(EVENTS.slice(0, 1)).map((l) => ({ ...l, instance: 9 }));
  assert.ok(formatChainJsonl(tagged).endsWith('"event":{"type":"HandlerSetupStart"}}\n'));
  assert.ok(formatChainJsonl(tagged, { instance: 1 }).endsWith(',"instance":1}\n'));
});

jsonl('writeChainJsonl writes, replaces and appends; writeChainsJsonl writes fleets; parse round-trips', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chain-test-'));
  try {
    const path = join(dir, 'events.jsonl');
    const lines = buildChain(EVENTS);
    await writeChainJsonl(path, lines.slice(0, 1));
    await writeChainJsonl(path, lines);
    assert.is(readFileSync(path, 'utf8'), formatChainJsonl(lines));
    assert.equal(parseChainJsonl(readFileSync(path, 'utf8')), EXPECTED);
    await writeChainJsonl(path, lines, { instance: 0 });
    await writeChainJsonl(path, lines, { instance: 1, append: true });
    const both = formatChainJsonl(lines, { instance: 0 }) + formatChainJsonl(lines, { instance: 1 });
    assert.is(readFileSync(path, 'utf8'), both);
    const fleet = join(dir, 'fleet.jsonl');
    await writeChainsJsonl(fleet, [{ instance: 0, lines }, { instance: 1, lines }]);
    assert.is(readFileSync(fleet, 'utf8'), `{"fleet":{"instances":2}}\n${both}`);
    assert.equal(parseChainJsonl(readFileSync(fleet, 'utf8')).length, 6, 'the fleet header is not a chain line');
    assert.equal(parseChainJsonl(both).map((l) => [l.instance, l.seq]), [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

jsonl('the wire event in a line is the toWire form', () => {
  assert.equal(buildChain(ALL_EVENTS).map((l) => l.event), ALL_EVENTS.map(toWire));
});

jsonl.run();
