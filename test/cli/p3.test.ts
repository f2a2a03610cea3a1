// WASI 0.3 actors through the CLI: the built binary for the acceptance runs
// (p3 sleeper, the seed-test port, three virtual hours, replay faithful and
// diverging), in-process for the chain formats and the min_sleep_duration rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { actorManifest, actorWasm, bin, manifestFor, tempDir, writeManifest } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));
const THREE_HOURS_NS = 3n * 3_600_000_000_000n;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false });
  return { code, stdout, stderr };
}
const readings = (hex: string): bigint[] => [0, 8, 16].map((at) => Buffer.from(hex, 'hex').readBigUInt64LE(at));
const lines = (path: string): Array<{ event: { type: string } }> => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: { type: string } });

test('theater-timing run: the p3 sleeper sleeps its 100 ms, never early', () => {
  const r = bin('run', actorManifest('p3-sleeper'), '--json');
  assert.is(r.status, 0, r.stderr);
  const [before, after, duration] = readings((JSON.parse(r.stdout) as { state: string }).state);
  assert.is(duration, 100_000_000n);
  assert.ok(after - before >= duration, 'woke early');
  assert.ok(after - before - duration < 200_000_000n, `woke ${after - before - duration} ns late`);
});

test('theater-timing run: the p3 seed-test port passes every check', () => {
  const r = bin('run', actorManifest('p3-clocks-test'));
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'p3-clocks-test: all checks passed\n');
});

test('--clock virtual: the p3 three-hour sleeper in well under a second, exactly three hours for the guest', () => {
  const r = bin('run', actorManifest('p3-hours-sleeper'), '--clock', 'virtual', '--json');
  assert.is(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { ok: boolean; state: string; runMs: number };
  assert.ok(summary.runMs < 1000, `run took ${summary.runMs} ms`);
  const [before, after, duration] = readings(summary.state);
  assert.is(duration, THREE_HOURS_NS);
  assert.is(after - before, THREE_HOURS_NS, 'woken exactly at the deadline');
});

test('--replay of a p3 chain is faithful (same chain back); a changed actor diverges with exit 4', () => {
  const recorded = join(dir, 'p3.jsonl');
  const replayed = join(dir, 'p3-replayed.jsonl');
  assert.is(bin('run', actorManifest('p3-clocks-test'), '--events', recorded).status, 0);
  const ok = bin('run', actorManifest('p3-clocks-test'), '--replay', recorded, '--events', replayed);
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /replay ok: \d+ events matched\n$/);
  assert.is(readFileSync(replayed, 'utf8'), readFileSync(recorded, 'utf8'));
  assert.is(bin('run', actorManifest('p3-sleeper'), '--replay', recorded).status, 2, 'another component is refused before it runs');
  const changed = bin('run', actorManifest('p3-sleeper'), '--replay', recorded, '--replay-any-component');
  assert.is(changed.status, 4);
  assert.match(changed.stderr, /replay diverged at event 4: recorded wasi:clocks\/monotonic-clock@0\.3\.0\/get-resolution, actor called now\(\)/);
  const sleeper = join(dir, 'sleeper.jsonl');
  assert.is(bin('run', actorManifest('p3-sleeper'), '--events', sleeper).status, 0);
  const longer = bin('run', actorManifest('p3-sleeper'), '--replay', sleeper, '--state-hex', '00c2eb0b00000000');
  assert.is(longer.status, 4);
  assert.match(longer.stderr, /recorded wasi:clocks\/monotonic-clock@0\.3\.0\/wait-for\(100000000\), actor called wait-for\(200000000\)/);
});

test('in-process: the chain holds the p3 calls; both formats record and replay them', async () => {
  const recorded = join(dir, 'in.jsonl');
  assert.is((await cli('run', actorManifest('p3-clocks-test'), '--events', recorded)).code, 0);
  const types = lines(recorded).map((l) => l.event.type);
  for (const type of ['MonotonicClockNow', 'MonotonicClockGetResolution', 'WaitFor', 'WaitUntil', 'SleepClamped', 'SystemClockNow', 'SystemClockResolution', 'ChainEnd']) {
    assert.ok(types.includes(type), type);
  }
  const replay = await cli('run', actorManifest('p3-clocks-test'), '--replay', recorded);
  assert.is(replay.code, 0, replay.stderr);
  const theater = join(dir, 'in.chain.json');
  assert.is((await cli('run', actorManifest('p3-clocks-test'), '--chain-format', 'theater', '--events', theater)).code, 0);
  const chain = JSON.parse(readFileSync(theater, 'utf8')) as Array<{ event_type: string; data: number[] }>;
  const calls = chain.map((e) => e.event_type);
  for (const call of ['wasi:clocks/monotonic-clock@0.3.0/now', 'wasi:clocks/monotonic-clock@0.3.0/get-resolution', 'wasi:clocks/monotonic-clock@0.3.0/wait-for',
    'wasi:clocks/monotonic-clock@0.3.0/wait-until', 'wasi:clocks/system-clock@0.3.0/now', 'wasi:clocks/system-clock@0.3.0/get-resolution']) {
    assert.ok(calls.includes(call), call);
  }
  const waitFor = chain.find((e) => e.event_type.endsWith('/wait-for'))!;
  assert.equal(JSON.parse(Buffer.from(waitFor.data).toString()), {
    category: 'HostFunction', interface: 'wasi:clocks/monotonic-clock@0.3.0', function: 'wait-for', input: { U64: 50000000 }, output: { Tuple: [] },
  });
  const back = join(dir, 'back.chain.json');
  const fromTheater = await cli('run', actorManifest('p3-clocks-test'), '--replay', theater, '--chain-format', 'theater', '--events', back);
  assert.is(fromTheater.code, 0, fromTheater.stderr);
  assert.is(readFileSync(back, 'utf8').length > 0, true);
  const diverged = await cli('run', actorManifest('p3-sleeper'), '--replay', theater);
  assert.is(diverged.code, 4);
});

test('min_sleep_duration: every wait-for(0) of the p3 spinner is raised to the minimum, recorded as a clamp', async () => {
  const path = join(dir, 'spin.jsonl');
  const manifest = writeManifest(dir, 'spin.toml', manifestFor('p3-zero-spinner', '', '[[handler]]\ntype = "timing"\nmin_sleep_duration = 1\n'));
  const r = await cli('run', manifest, '--state-hex', '0a000000', '--events', path, '--json');
  assert.is(r.code, 0, r.stderr);
  const state = Buffer.from((JSON.parse(r.stdout) as { state: string }).state, 'hex');
  assert.ok(state.readBigUInt64LE(0) >= 10_000_000n, 'ten 1 ms waits take 10 ms at least');
  const events = lines(path).map((l) => l.event.type);
  assert.is(events.filter((t) => t === 'WaitFor').length, 10);
  assert.is(events.filter((t) => t === 'SleepClamped').length, 10);
});

test('the spec-strict form: an async init (callback-form lift) over an async-lowered wait-for runs, records, replays, diverges', async () => {
  const r = await cli('run', actorManifest('p3-async-sleeper'), '--json');
  assert.is(r.code, 0, r.stderr);
  const [before, after, duration] = readings((JSON.parse(r.stdout) as { state: string }).state);
  assert.is(duration, 100_000_000n);
  assert.ok(after - before >= duration, 'woke early');
  const recorded = join(dir, 'async.jsonl');
  assert.is(bin('run', actorManifest('p3-async-sleeper'), '--events', recorded).status, 0);
  assert.ok(lines(recorded).some((l) => l.event.type === 'WaitFor'));
  const replayed = join(dir, 'async-replayed.jsonl');
  const ok = bin('run', actorManifest('p3-async-sleeper'), '--replay', recorded, '--events', replayed);
  assert.is(ok.status, 0, ok.stderr);
  assert.is(readFileSync(replayed, 'utf8'), readFileSync(recorded, 'utf8'));
  assert.is(bin('run', actorManifest('p3-async-sleeper'), '--replay', recorded, '--state-hex', '00c2eb0b00000000').status, 4);
});

test('a component with both WASI 0.2 and 0.3 clocks: exit 2 and one line', async () => {
  const p3 = readFileSync(actorWasm('p3-sleeper'));
  const name = Buffer.from('note');
  const payload = Buffer.from('wasi:clocks/monotonic-clock@0.2.3');
  const mixed = join(dir, 'mixed.wasm');
  writeFileSync(mixed, Buffer.concat([p3, Buffer.from([0, 1 + name.length + payload.length, name.length]), name, payload]));
  const manifest = writeManifest(dir, 'mixed.toml', `name = "mixed"\nversion = "0.1.0"\ncomponent = ${JSON.stringify(mixed)}\n[[handler]]\ntype = "timing"\n`);
  const r = await cli('run', manifest);
  assert.is(r.code, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /imports both WASI 0\.2 \(wasi:clocks\/monotonic-clock@0\.2\.3\) and WASI 0\.3 \(wasi:clocks\/monotonic-clock@0\.3\.0, wasi:clocks\/types@0\.3\.0\)/);
});

test.run();
