// --clock virtual through the built binary: hours of sleep in milliseconds,
// byte-identical chains across runs (fleets included), --start-time, and the
// flags' validation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseChainJsonl } from '../../src/events/chain.ts';
import { actorManifest, bin, tempDir } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));
const THREE_HOURS_NS = 3n * 3_600_000_000_000n;

test('a three-hour sleep on virtual time: the run takes well under a second, the guest sees exactly three hours', () => {
  const r = bin('run', actorManifest('hours-sleeper'), '--clock', 'virtual', '--json');
  assert.is(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { ok: boolean; state: string; runMs: number };
  assert.ok(summary.ok);
  assert.ok(summary.runMs < 1000, `run took ${summary.runMs} ms`);
  const state = Buffer.from(summary.state, 'hex');
  const [before, after, duration] = [0, 8, 16].map((at) => state.readBigUInt64LE(at));
  assert.is(duration, THREE_HOURS_NS);
  assert.is(before, 1_000_000_000n, 'the virtual monotonic clock starts at 1 s');
  assert.is(after - before, THREE_HOURS_NS, 'woken exactly at the deadline: zero lateness');
});

test('two virtual runs of the same fleet write byte-identical chains', () => {
  const paths = ['one', 'two'].map((name) => join(dir, `${name}.jsonl`));
  for (const path of paths) {
    const r = bin('run', actorManifest('wasi-clocks-test'), '--clock', 'virtual', '--instances', '8', '--events', path);
    assert.is(r.status, 0, r.stderr);
  }
  const [a, b] = paths.map((path) => readFileSync(path));
  assert.ok(a.length > 0);
  assert.ok(a.equals(b), 'the two chains differ');
  const single = ['s1', 's2'].map((name) => join(dir, `${name}.jsonl`));
  for (const path of single) assert.is(bin('run', actorManifest('hours-sleeper'), '--clock', 'virtual', '--events', path).status, 0);
  assert.ok(readFileSync(single[0]).equals(readFileSync(single[1])));
});

test('--start-time sets the virtual wall clock; both clocks move together', () => {
  const path = join(dir, 'start.jsonl');
  const r = bin('run', actorManifest('wasi-clocks-test'), '--clock', 'virtual', '--start-time', '2024-05-01T12:00:00.25+02:00', '--events', path);
  assert.is(r.status, 0, r.stderr);
  const events = parseChainJsonl(readFileSync(path, 'utf8')).map((line) => line.event);
  const wall = events.find((e) => e.type === 'WallClockNow');
  const firstMono = events.find((e) => e.type === 'MonotonicClockNow');
  assert.ok(wall !== undefined && wall.type === 'WallClockNow' && firstMono !== undefined && firstMono.type === 'MonotonicClockNow');
  const wallNs = BigInt(wall.seconds) * 1_000_000_000n + BigInt(wall.nanoseconds);
  const startNs = BigInt(Date.parse('2024-05-01T10:00:00Z')) * 1_000_000n + 250_000_000n;
  assert.ok(wallNs >= startNs && wallNs - startNs < 10n * 1_000_000_000n, `wall ${wallNs} vs start ${startNs}`);
});

test('bad --clock, --start-time and flag combinations exit 2 naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--clock', 'fake'], /--clock: expected one of real, virtual, got "fake"/],
    [['--clock', 'virtual', '--start-time', 'yesterday'], /--start-time: expected an RFC 3339 date-time .*got "yesterday"/],
    [['--clock', 'virtual', '--start-time', '2024-02-30T00:00:00Z'], /--start-time: not a valid calendar date and time, got "2024-02-30T00:00:00Z"/],
    [['--clock', 'virtual', '--start-time', '1969-12-31T23:59:59Z'], /--start-time: the wall clock cannot start before 1970/],
    [['--start-time', '2024-05-01T12:00:00Z'], /--start-time: only with --clock virtual/],
  ];
  for (const [args, message] of cases) {
    const r = bin('run', actorManifest('sleeper'), ...args);
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test.run();
