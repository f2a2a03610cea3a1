// A component from a real toolchain through the CLI: the JavaScript js-sleeper
// (componentize-js, scripts/build-js-actors.ts) with the wasi handler: alone,
// as a fleet, with its stdout captured, prefixed, escaped and bounded, with
// capabilities it was not granted (the environment, a file), and recorded:
// replayed with its random draws, and durable across a kill -9.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cliOutput } from '../../src/cli/actor-output.ts';
import { runCli } from '../../src/cli/cli.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { loadManifest } from '../../src/manifest/manifest.ts';
import { prepareComponent, runFleet } from '../../src/runtime/fleet.ts';
import { actorManifest, actorWasm, BIN, bin, ROOT, tempDir, writeManifest } from './support.ts';

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

const FILE_DENIED = 'wasi trap: wasi:filesystem not granted: open-at "secret.txt" under "/" (this host grants no filesystem)';

test('denied by default: opening a file traps naming the filesystem capability; StarlingMonkey itself starts normally', () => {
  const r = bin('run', MANIFEST, '--state', 'open:secret.txt');
  assert.is(r.status, 3);
  assert.is(r.stdout, '');
  assert.is(r.stderr, `theater-timing: trapped: ${FILE_DENIED}\n`);
  const fleet = bin('run', MANIFEST, '--state', 'open:secret.txt', '--instances', '3', '--json');
  assert.is(fleet.status, 3);
  const json = JSON.parse(fleet.stdout) as { outcomes: { ok: number; trap: number }; failures: Array<{ error: string }> };
  assert.equal([json.outcomes.ok, json.outcomes.trap], [0, 3]);
  assert.ok(json.failures.every((f) => f.error === FILE_DENIED), fleet.stdout);
});

test('a trapping file-opener leaves the actors beside it in the process alone', async () => {
  const manifest = loadManifest(MANIFEST);
  const enc = (text: string) => new TextEncoder().encode(text);
  const [opener, sleeper] = await Promise.all([
    runFleet(manifest, { instances: 2, state: enc('open:/etc/passwd'), record: false }),
    runFleet(manifest, { instances: 2, state: enc('30'), record: false }),
  ]);
  assert.equal(opener.results.map((r) => r.outcome.status), ['trap', 'trap']);
  assert.match((opener.results[0].outcome as { error: string }).error, /wasi:filesystem not granted: open-at "\/etc\/passwd" under "\/"/);
  assert.equal(sleeper.results.map((r) => r.outcome.status), ['ok', 'ok']);
});

test('--replay: the recorded random draws come back, the writes match and are shown again', () => {
  const chain = join(dir, 'random.jsonl');
  const r = bin('run', MANIFEST, '--state', 'random:20', '--events', chain);
  assert.is(r.status, 0, r.stderr);
  const m = /^\[js-sleeper#0\] random before ([0-9a-f]{16})\n\[js-sleeper#0\] random after ([0-9a-f]{16})\nrandom \1 \2\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const replay = bin('run', MANIFEST, '--state', 'random:20', '--replay', chain);
  assert.is(replay.status, 0, replay.stderr);
  assert.match(replay.stdout, /^replay ok: \d+ events matched\n$/m);
  assert.is(replay.stdout.replace(/replay ok: \d+ events matched\n$/, ''), r.stdout);
  const other = bin('run', MANIFEST, '--state', 'random:21', '--replay', chain);
  assert.is(other.status, 4);
  assert.match(other.stderr, /replay diverged at event \d+: recorded wasi:clocks\/monotonic-clock@0\.2\.3\/subscribe-duration\(20000000\), actor called subscribe-duration\(21000000\)/);
});

test('durable: killed with SIGKILL mid-sleep, the resumed actor draws the same random bytes and does not print its lines again', async () => {
  const d = join(dir, 'durable-js');
  const child = spawn(process.execPath, [BIN, 'run', MANIFEST, '--durable', d, '--state', 'random:3000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let before = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line before the sleep: ${before}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      before += chunk.toString();
      if (before.includes('\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const drawn = /^\[js-sleeper#0\] random before ([0-9a-f]{16})\n$/.exec(before)?.[1];
  assert.ok(drawn, before);
  const r = bin('resume', d);
  assert.is(r.status, 0, r.stderr);
  const m = /^\[js-sleeper#0\] random after ([0-9a-f]{16})\nrandom ([0-9a-f]{16}) \1\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.is(m[2], drawn, 'the draw before the crash, replayed');
  assert.is(r.stderr, 'theater-timing: resumed 1, started 0, already finished 0 of 1 actors\n');
  const log = readFileSync(join(d, 'actors', '0.jsonl'), 'utf8');
  assert.ok(verifyChain(log).ok);
  const types = log.trimEnd().split('\n').map((l) => (JSON.parse(l) as { event: { type: string } }).event.type);
  assert.ok(types.indexOf('RandomBytes') < types.indexOf('Resumed') && types.lastIndexOf('RandomBytes') > types.indexOf('Resumed'), types.join(' '));
});

test('durable with hibernate_after: JS actors are dropped while they sleep and rebuilt by replay; each line printed once, the draws kept', () => {
  const manifest = jsManifest('hib.toml', '[[handler]]\ntype = "wasi"\n', 'hibernate_after = 200\n');
  const r = bin('run', manifest, '--durable', join(dir, 'hib-js'), '--instances', '2', '--state', 'random:800', '--json');
  assert.is(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { outcomes: { ok: number }; hibernated: number; kept_live: number };
  assert.equal([json.outcomes.ok, json.hibernated, json.kept_live], [2, 2, 0]);
  const lines = r.stderr.trimEnd().split('\n').sort();
  assert.is(lines.length, 4, r.stderr);
  for (const i of [0, 1]) {
    const mine = lines.filter((l) => l.startsWith(`[js-sleeper#${i}] `));
    assert.equal(mine.map((l) => l.split(' ')[2]), ['after', 'before'], r.stderr);
    const log = readFileSync(join(dir, 'hib-js', 'actors', `${i}.jsonl`), 'utf8');
    assert.ok(verifyChain(log).ok);
    assert.match(log, /"type":"Resumed"/);
    const before = mine.find((l) => l.includes('before'))?.split(' ')[3];
    assert.ok(before !== undefined && log.includes(`"bytes":"${before}"`), 'the draw before the sleep is in the log');
    assert.is(log.match(/"type":"RandomBytes"/g)?.length, 2, 'drawn once before the sleep and once after: the rebuild replayed the first');
  }
});

test('durable: host variables granted by name cannot be replayed: refused at start, one line naming the import', () => {
  const r = bin('run', jsManifest('envdur.toml', '[[handler]]\ntype = "wasi"\nenv = ["HOME"]\n'), '--durable', join(dir, 'envdur'));
  assert.is(r.status, 2);
  assert.is(r.stderr, `theater-timing: ${join(dir, 'envdur.toml')}: durable: the component imports wasi:cli/environment and the manifest grants host variables (env = ["HOME"]), which a resume cannot replay (grant fixed values instead: env = { NAME = "value" })\n`);
  const fixed = bin('run', jsManifest('envfix.toml', '[[handler]]\ntype = "wasi"\nenv = { GREETING = "hi" }\n'), '--durable', join(dir, 'envfix'), '--state', 'env:GREETING');
  assert.is(fixed.status, 0, fixed.stderr);
  assert.is(fixed.stdout, 'GREETING=hi\n');
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
