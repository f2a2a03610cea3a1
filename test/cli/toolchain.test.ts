// A component from a real toolchain through the CLI: the JavaScript js-sleeper
// (componentize-js, scripts/build-js-actors.ts) with the wasi handler: alone,
// as a fleet, with its stdout captured, prefixed, escaped and bounded, and with
// a capability it was not granted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { cliOutput } from '../../src/cli/actor-output.ts';
import { runCli } from '../../src/cli/cli.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { prepareComponent } from '../../src/runtime/fleet.ts';
import { actorManifest, actorWasm, bin, tempDir, writeManifest } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));
// The first transpile runs the fairness pass over StarlingMonkey's 12 MB core module
// (15-60 s by load); the CLI runs below then find it in the shared disk cache.
test.before(async () => {
  await Promise.all(['js-sleeper', 'js-spinner'].map((name) => prepareComponent(loadManifest(actorManifest(name)), 'jspi')));
});

const MANIFEST = actorManifest('js-sleeper');
const jsManifest = (file: string, wasi: string, extra = ''): string => writeManifest(dir, file,
  `name = "js-sleeper"\nversion = "0.1.0"\ncomponent = ${JSON.stringify(actorWasm('js-sleeper'))}\n${extra}`
  + `[[handler]]\ntype = "timing"\n${wasi}`);

const SLEPT = /^\[js-sleeper#0\] js-sleeper slept (\d+) ns \(asked 50 ms\)\njs-sleeper: slept \1 ns \(asked 50 ms\)\n$/;

test('alone: sleeps through our clocks and poll, never early; its stdout line prefixed, then its state', () => {
  const r = bin('run', MANIFEST);
  assert.is(r.status, 0, r.stderr);
  const m = SLEPT.exec(r.stdout);
  assert.ok(m, r.stdout);
  const ns = Number(m[1]);
  assert.ok(ns >= 50e6 && ns < 50e6 + 2e9, `slept ${ns} ns`);
  assert.is(r.stderr, '');
});

test('an odd duration waits through poll instead of block, also never early', () => {
  const r = bin('run', MANIFEST, '--state', '21', '--json');
  assert.is(r.status, 0, r.stderr);
  const state = (JSON.parse(r.stdout) as { state: string }).state;
  const ns = Number(/slept (\d+) ns \(asked 21 ms\)/.exec(state)?.[1]);
  assert.ok(ns >= 21e6 && ns < 21e6 + 2e9, state);
  // --json keeps stdout for the JSON: the actor's line is on stderr.
  assert.match(r.stderr, /^\[js-sleeper#0\] js-sleeper slept \d+ ns \(asked 21 ms\)\n$/);
});

test('guest text is escaped like all guest text: no forged line, no terminal escape', () => {
  const r = bin('run', MANIFEST, '--state', 'escape');
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '[js-sleeper#0] red \\e[31malert\\e[0m bell \\x07 and a fake line:\\rtheater-timing: forged\nescaped\n');
  assert.is(r.stderr, '[js-sleeper#0] to stderr \\u{202e} reversed\n');
});

test('output is bounded per instance: past max_output_bytes it is counted and reported', () => {
  const r = bin('run', jsManifest('cap.toml', '[[handler]]\ntype = "wasi"\nmax_output_bytes = 1000\n'), '--state', 'flood:50');
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 11);
  assert.match(lines[0], /^\[js-sleeper#0\] flood line 000000 \.+$/);
  assert.match(lines[9], /^\[js-sleeper#0\] flood line 000009 /);
  assert.is(lines[10], 'flooded 50');
  assert.is(r.stderr, 'theater-timing: js-sleeper#0: 4000 bytes of output past its 1000-byte cap (max_output_bytes) dropped\n');
});

test('denied by default: reading the environment traps naming the capability and the grant', () => {
  const r = bin('run', MANIFEST, '--state', 'env:HOME');
  assert.is(r.status, 3);
  assert.is(r.stderr, 'theater-timing: trapped: wasi trap: wasi:cli/environment not granted '
    + '(grant it with env = ["NAME", …] or env = { NAME = "value" } in the manifest\'s [[handler]] type = "wasi" table)\n');
  const granted = bin('run', jsManifest('env.toml', '[[handler]]\ntype = "wasi"\nenv = { GREETING = "hi" }\n'), '--state', 'env:GREETING');
  assert.is(granted.status, 0, granted.stderr);
  assert.is(granted.stdout, 'GREETING=hi\n');
  const hidden = bin('run', jsManifest('env2.toml', '[[handler]]\ntype = "wasi"\nenv = ["GREETING"]\n'), '--state', 'env:HOME');
  assert.is(hidden.stdout, 'HOME is not set\n');
});

test('without [[handler]] type = "wasi", the CLI exits 2 naming the unserved imports', () => {
  const r = bin('run', jsManifest('nowasi.toml', ''));
  assert.is(r.status, 2);
  assert.match(r.stderr, /no registered handler provides wasi:cli\/environment, wasi:cli\/stderr, .*; the wasi:cli, io, random, filesystem and sockets imports are served by \[\[handler\]\] type = "wasi"\n$/);
});

test('a fleet of 1 000: every instance wakes, each line prefixed with its instance', () => {
  // 100 live at a time in one process: ~20 ms per spawn and 0.5 GB, where 1 000 live at once
  // cost ~62 ms per spawn and 3.9 GB (docs/TOOLCHAINS.md).
  const r = bin('run', MANIFEST, '--instances', '1000', '--max-live', '100', '--shards', '1', '--json');
  assert.is(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { outcomes: { ok: number } };
  assert.is(json.outcomes.ok, 1000);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1000);
  const seen = new Set<number>();
  for (const line of lines) {
    const m = /^\[js-sleeper#(\d+)\] js-sleeper slept (\d+) ns \(asked 50 ms\)$/.exec(line);
    assert.ok(m, line);
    assert.ok(Number(m[2]) >= 50e6, line);
    seen.add(Number(m[1]));
  }
  assert.is(seen.size, 1000);
});

test('with the fairness pass on: a JavaScript while (true) {} traps at its max_cpu_ms, exit 3 naming the budget', () => {
  const t0 = performance.now();
  const r = bin('run', actorManifest('js-spinner'), '--state', 'forever');
  assert.is(r.status, 3, r.stderr);
  assert.match(r.stderr, /^theater-timing: trapped: wasi trap: cpu budget exceeded: actor "js-spinner#0" ran \d+ ms in one call, not counting waits \(max_cpu_ms 1000\)\n$/);
  assert.ok(performance.now() - t0 < 60_000);
  const done = bin('run', actorManifest('js-spinner'), '--state', '1000');
  assert.is(done.status, 0, done.stderr);
  assert.match(done.stdout, /^js-spinner: 1000 rounds, checksum \d+\n$/);
});

test('in process: the output sink routes and escapes; --json sends actor lines to stderr', async () => {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => { stdout += t; }, stderr: (t: string) => { stderr += t; }, isTTY: false };
  const code = await runCli(['run', jsManifest('inproc.toml', '[[handler]]\ntype = "wasi"\nmax_output_bytes = 20\n'), '--state', 'escape', '--json'], io);
  assert.is(code, 0, stderr);
  assert.is((JSON.parse(stdout) as { state: string }).state, 'escaped');
  assert.is(stderr, '[js-sleeper#0] red \\e[31malert\\e[0m b\n'
    + 'theater-timing: js-sleeper#0: 69 bytes of output past its 20-byte cap (max_output_bytes) dropped\n');
  const shard: string[] = [];
  const sink = cliOutput({ stdout: (t) => shard.push(`out ${t}`), stderr: (t) => shard.push(`err ${t}`) }, 'stdout');
  sink.line('a#1', 'stderr', 'x\n');
  sink.dropped('a#1', 3, 2);
  assert.equal(shard, ['out [a#1] x\\n\n', 'out theater-timing: a#1: 3 bytes of output past its 2-byte cap (max_output_bytes) dropped\n']);
});

test.run();
