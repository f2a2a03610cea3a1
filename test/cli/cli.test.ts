// runCli in-process: every command, exit code and message. (binary.test.ts
// spawns the bundled binary for the same contract.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, showState } from '../../src/cli/cli.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { actorManifest, actorWasm, fullDisk, manifestFor, tempDir, writeManifest } from './support.ts';

interface Run { code: number; stdout: string; stderr: string }

async function cli(argv: string[], isTTY = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY });
  return { code, stdout, stderr };
}

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('run: one instance prints its state as text and exits 0', async () => {
  const r = await cli(['run', actorManifest('wasi-clocks-test')]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'wasi-clocks-test: all checks passed\n');
  assert.is(r.stderr, '');
});

test('run: binary state is printed as hex by rule (its u64 readings hold NUL bytes); --state-hex reaches init', async () => {
  const r = await cli(['run', actorManifest('sleeper'), '--state-hex', '40420f0000000000']); // 1 ms
  assert.is(r.code, 0, r.stderr);
  // The duration field is 1_000_000 as a u64 LE: five of its bytes are 0x00, a control character, so the rule says hex.
  assert.match(r.stdout, /^[0-9a-f]{48}\n$/);
  const bytes = Buffer.from(r.stdout.slice(0, -1), 'hex');
  const [before, after, duration] = [0, 8, 16].map((at) => bytes.readBigUInt64LE(at));
  assert.is(duration, 1_000_000n);
  assert.ok(after - before >= duration, 'never early');
});

test('run --coarse-timer: the sleep is left to Node\'s whole-ms timer; never early', async () => {
  const r = await cli(['run', actorManifest('sleeper'), '--state-hex', '40420f0000000000', '--coarse-timer']); // 1 ms
  assert.is(r.code, 0, r.stderr);
  const bytes = Buffer.from(r.stdout.slice(0, -1), 'hex');
  const [before, after, duration] = [0, 8, 16].map((at) => bytes.readBigUInt64LE(at));
  assert.ok(after - before >= duration, 'never early');
});

test('run: an init err exits 1 with the message on stderr', async () => {
  const r = await cli(['run', actorManifest('sleeper'), '--state', 'abc']);
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'theater-timing: init returned err: sleeper: state must be 8 bytes, a u64 LE duration in ns\n');
});

test('run: a trap exits 3 with the trap message on stderr', async () => {
  const r = await cli(['run', actorManifest('poll-empty')]);
  assert.is(r.code, 3);
  assert.is(r.stderr, 'theater-timing: trapped: wasi trap: poll: attempt to poll on an empty list\n');
});

test('run --json: one object with outcome and phase timings', async () => {
  const r = await cli(['run', actorManifest('sleeper'), '--instances', '5', '--json', '--state-hex', '40420f0000000000', '--max-live', '2', '--shards', '1']);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.is(out.ok, true);
  assert.is(out.instances, 5);
  assert.is(out.error, null);
  assert.is(out.stateEncoding, 'hex');
  assert.equal(out.outcomes, { ok: 5, err: 0, trap: 0 });
  assert.is(out.maxLive, 2);
  assert.ok((out.peakLive as number) <= 2);
  for (const key of ['prepareMs', 'spawnMs', 'runMs']) assert.ok(typeof out[key] === 'number' && (out[key] as number) >= 0, key);
});

test('run --json: a failure is reported in error, with the exit code', async () => {
  const r = await cli(['run', actorManifest('poll-empty'), '--json']);
  assert.is(r.code, 3);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.is(out.ok, false);
  assert.is(out.state, null);
  assert.is(out.error, 'trapped: wasi trap: poll: attempt to poll on an empty list');
});

test('run: a fleet prints a summary; failures are listed per instance, at most 10', async () => {
  const ok = await cli(['run', actorManifest('sleeper'), '--instances', '3', '--state-hex', '40420f0000000000'], true);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^sleeper: 3 instances: 3 ok, 0 err, 0 trapped; spawn [0-9.]+ ms, run [0-9.]+ ms, peak live 3 \(cap \d+\)\n$/);
  assert.match(ok.stderr, /sleeper: 3\/3 settled\n$/, 'progress on a TTY');
  const bad = await cli(['run', actorManifest('poll-empty'), '--instances', '12']);
  assert.is(bad.code, 3);
  const lines = bad.stderr.trim().split('\n');
  assert.is(lines.length, 11);
  assert.is(lines[0], 'theater-timing: instance 0: trapped: wasi trap: poll: attempt to poll on an empty list');
  assert.is(lines[10], 'theater-timing: … and 2 more failed instances');
});

test('run --events: one chain per run, verified; fleets tag each line with its instance', async () => {
  const one = join(dir, 'one.jsonl');
  const r = await cli(['run', actorManifest('wasi-clocks-test'), '--events', one]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /^theater-timing: wrote \d+ events \(1 chain\) to .*one\.jsonl\n$/);
  const single = verifyChain(readFileSync(one, 'utf8'));
  assert.ok(single.ok);
  assert.is(single.chains.length, 1);
  assert.is(single.chains[0].instance, null);

  const many = join(dir, 'many.jsonl');
  const f = await cli(['run', actorManifest('sleeper'), '--instances', '3', '--events', many, '--state-hex', '40420f0000000000']);
  assert.is(f.code, 0, f.stderr);
  const fleet = verifyChain(readFileSync(many, 'utf8'));
  assert.ok(fleet.ok);
  assert.equal(fleet.chains.map((c) => c.instance), [0, 1, 2]);
  assert.is(fleet.countsByType.SubscribeDuration, 3);

  const nowhere = await cli(['run', actorManifest('sleeper'), '--events', join(dir, 'no', 'such', 'dir.jsonl'), '--state-hex', '40420f0000000000']);
  assert.is(nowhere.code, 2);
  assert.match(nowhere.stderr, /--events: cannot write .*dir\.jsonl \(ENOENT\)/);
});

test('run: save_chain writes the chain next to the manifest', async () => {
  const manifest = writeManifest(dir, 'saved.toml', manifestFor('wasi-clocks-v020', 'save_chain = true'));
  const r = await cli(['run', manifest]);
  assert.is(r.code, 0, r.stderr);
  const chain = join(dir, 'wasi-clocks-v020.events.jsonl');
  assert.ok(existsSync(chain));
  assert.ok(verifyChain(readFileSync(chain, 'utf8')).ok);
});

test('run: manifest and config errors exit 2 with one line naming the field or path', async () => {
  const cases: Array<[string, RegExp]> = [
    ['name = "x"\nversion = \n', /bad\.toml:2:\d+: invalid TOML/],
    [manifestFor('missing-actor'), /component: cannot read ".*missing-actor\.wasm" \(ENOENT\)/],
    [manifestFor('sleeper', '', '[[handler]]\ntype = "timing"\nmax_sleep_duration = -5\n'), /handler\[0\]\.max_sleep_duration: .*-5/],
    [manifestFor('sleeper', '', '[[handler]]\ntype = "timing"\nmin_sleep_duration = 10\nmax_sleep_duration = 5\n'), /min_sleep_duration.*10.*max_sleep_duration.*5|handler\[0\]\.min_sleep_duration/],
    [manifestFor('sleeper', '', '[[handler]]\ntype = "timing"\nmax_sleep_duration = "1h"\n'), /handler\[0\]\.max_sleep_duration: .*"1h"/],
    [manifestFor('sleeper', '', '[[handler]]\ntype = "clock"\n'), /handler\[0\]\.type: unknown handler type "clock" \(known: timing, wasi, replay, runtime, /],
    ['version = "1"\ncomponent = "x.wasm"\n', /name: missing required field/],
  ];
  for (const [body, message] of cases) {
    const r = await cli(['run', writeManifest(dir, 'bad.toml', body)]);
    assert.is(r.code, 2, body);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const missing = await cli(['run', join(dir, 'nope.toml')]);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /nope\.toml: cannot read manifest \(ENOENT\)/);
});

test('run: unknown top-level keys warn; a component that is not an actor exits 2', async () => {
  const warned = await cli(['run', writeManifest(dir, 'warn.toml', manifestFor('wasi-clocks-v020', 'colour = "blue"'))]);
  assert.is(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /warning: .*warn\.toml: colour: unknown field, ignored/);
  const notWasm = writeManifest(dir, 'junk.wasm', 'not a component');
  const junk = await cli(['run', writeManifest(dir, 'junk.toml', `name = "junk"\nversion = "1"\ncomponent = ${JSON.stringify(notWasm)}\n`)]);
  assert.is(junk.code, 2);
  assert.match(junk.stderr, /^theater-timing: .*junk\.toml: component: /);
  const unserved = await cli(['run', writeManifest(dir, 'nohandler.toml', manifestFor('sleeper', '', ''))]);
  assert.is(unserved.code, 2);
  assert.match(unserved.stderr, /nohandler\.toml: component: no registered handler provides wasi:clocks\/monotonic-clock, wasi:io\/poll \(registered: none\)\n$/);
});

test('a usage error is two lines: the problem, then the --help that describes the fix; exit 2', async () => {
  const r = await cli(['run', 'm.toml', '--instances', 'many']);
  assert.is(r.code, 2);
  assert.is(r.stderr, 'theater-timing: --instances: expected a positive integer, got "many"\nsee: theater-timing run --help\n');
  assert.is(r.stdout, '');
  const none = await cli([]);
  assert.is(none.code, 2);
  assert.is(none.stderr, 'theater-timing: missing command\nsee: theater-timing --help\n');
});

test('help and version', async () => {
  const help = await cli(['--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /^theater-timing: .*\n\nusage: theater-timing <command> \[arguments\] \[options\]\n/);
  assert.match(help.stdout, /\n  run +spawn instances/);
  const run = await cli(['run', '--help']);
  assert.is(run.code, 0);
  assert.match(run.stdout, /^theater-timing run: .*\n\nusage: theater-timing run <manifest.toml> \[options\]\n/);
  assert.is((await cli(['help', 'run'])).stdout, run.stdout);
  const version = await cli(['--version']);
  assert.match(version.stdout, /^theater-timing 0\.1\.0 \(jco 1\.11\.2, node v\d+/);
});

test('verify: ok exits 0; a tampered chain exits 1; a missing file exits 2', async () => {
  const file = join(dir, 'verify.jsonl');
  await cli(['run', actorManifest('wasi-clocks-v020'), '--events', file]);
  const ok = await cli(['verify', file]);
  assert.is(ok.code, 0);
  assert.match(ok.stdout, /^chain ok: \d+ lines, 1 chain\n/);
  const text = readFileSync(file, 'utf8').replace('"MonotonicClockNow","instant":"', '"MonotonicClockNow","instant":"1');
  const tampered = writeManifest(dir, 'tampered.jsonl', text);
  const bad = await cli(['verify', tampered]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^chain INVALID: line \d+: /);
  const missing = await cli(['verify', join(dir, 'absent.jsonl')]);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /absent\.jsonl: cannot read \(ENOENT\)/);
});

test('showState: text only when valid UTF-8 AND free of controls other than tab and newline, else hex; null stays null', () => {
  assert.equal(showState(new TextEncoder().encode('héllo')), { text: 'héllo', encoding: 'utf8' });
  assert.equal(showState(new TextEncoder().encode('a\tb\nc')), { text: 'a\tb\nc', encoding: 'utf8' });
  assert.equal(showState(Uint8Array.of(0xff, 0x00)), { text: 'ff00', encoding: 'hex' });
  // Valid UTF-8, but binary: a NUL, an escape, a carriage return, a C1 control, a bidi override.
  for (const bytes of [[0x41, 0x00], [0x1b, 0x5b, 0x32, 0x4a], [0x61, 0x0d], [0xc2, 0x85], [0xe2, 0x80, 0xae]]) {
    assert.equal(showState(Uint8Array.from(bytes)), { text: Buffer.from(bytes).toString('hex'), encoding: 'hex' });
  }
  // The sleeper's readings are u64s below 2^56: always a 0x00 byte, so always hex, however the rest decodes.
  const readings = Buffer.alloc(24);
  readings.write('abcdefg', 0, 'latin1');
  readings.write('hijklmn', 8, 'latin1');
  readings.write('opqrstu', 16, 'latin1');
  assert.is(showState(readings)?.encoding, 'hex');
  assert.is(showState(null), null);
});


async function cliOnFullDisk(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false, chainFs: fullDisk });
  return { code, stdout, stderr };
}

test('a chain that cannot be written never hides the outcome: trap 3 and err 1 win over 2; the old file stays', async () => {
  const events = join(dir, 'kept.jsonl');
  fs.writeFileSync(events, 'a good chain\n');
  const failed = `theater-timing: --events: cannot write ${events} (ENOSPC: no space left on device); the chain was not written (the existing file is unchanged)\n`;
  const trap = await cliOnFullDisk(['run', actorManifest('stale-pollable'), '--events', events]);
  assert.is(trap.code, 3);
  assert.is(trap.stderr, `${failed}theater-timing: trapped: wasi trap: pollable used after drop\n`);
  const err = await cliOnFullDisk(['run', actorManifest('sleeper'), '--state', 'x', '--events', events]);
  assert.is(err.code, 1);
  assert.match(err.stderr, /; the chain was not written .*\ntheater-timing: init returned err: sleeper: state must be/);
  const ok = await cliOnFullDisk(['run', actorManifest('sleeper'), '--state-hex', '40420f0000000000', '--events', events, '--json']);
  assert.is(ok.code, 2);
  assert.is(ok.stderr, failed);
  assert.is((JSON.parse(ok.stdout) as { events: unknown }).events, null, '--json reports no chain');
  const fresh = join(dir, 'fresh.jsonl');
  const none = await cliOnFullDisk(['run', actorManifest('sleeper'), '--state-hex', '40420f0000000000', '--events', fresh]);
  assert.is(none.stderr, `theater-timing: --events: cannot write ${fresh} (ENOSPC: no space left on device); the chain was not written\n`);
  assert.is(fs.readFileSync(events, 'utf8'), 'a good chain\n');
  assert.not.ok(fs.existsSync(fresh));
  assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test('run: bad chain targets exit 2 before the run; manifest names cannot leave the folder; output is escaped', async () => {
  const manifest = writeManifest(dir, 'where.toml', manifestFor('sleeper'));
  for (const [target, message] of [[manifest, /is the manifest/], [actorWasm('sleeper'), /is the component/], [dir, /is a folder/]] as const) {
    const r = await cli(['run', manifest, '--events', target, '--state', 'bad']);
    assert.is(r.code, 2);
    assert.match(r.stderr, message);
  }
  for (const name of ['../up', 'a/b', '.hidden', 'back\\slash']) {
    const escaping = writeManifest(dir, 'esc.toml', manifestFor('wasi-clocks-v020', 'save_chain = true').replace('name = "wasi-clocks-v020"', `name = ${JSON.stringify(name)}`));
    const r = await cli(['run', escaping]);
    assert.is(r.code, 2, name);
    assert.match(r.stderr, /^theater-timing: save_chain: .*esc\.toml: name: .* cannot name a chain file in the manifest's folder/);
  }
  const forged = await cli(['run', actorManifest('err-forger'), '--instances', '2']);
  assert.is(forged.code, 1);
  assert.is(forged.stderr.split('\n').length, 3);
  assert.not.match(forged.stderr, /\x1b/);
});

test.run();
