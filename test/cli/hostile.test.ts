// Issue 9 through the binary, as a hostile guest or user would try it: stale
// handles, a clock-spinning recorded actor, forged output, bad --events targets,
// manifest names that climb out of their folder, and absurd --instances.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { verifyChain } from '../../src/events/verify.ts';
import { actorManifest, actorWasm, BIN, manifestFor, ROOT, tempDir, writeManifest } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

function bin(args: string[], nodeFlags: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeFlags, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastEvent = (path: string): Record<string, unknown> => {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  return (JSON.parse(lines.at(-1) ?? '') as { event: Record<string, unknown> }).event;
};

test('a dropped, forged or twice-dropped pollable traps the actor (exit 3), in both modes, and its chain is written and verifies', () => {
  for (const mode of ['jspi', 'sync']) {
    for (const op of ['p', 'r', 'b', 'd', 'f', 'F']) {
      const events = join(dir, `stale-${mode}-${op}.jsonl`);
      const r = bin(['run', actorManifest('stale-pollable'), '--state', op, '--mode', mode, '--events', events]);
      const what = `${mode} ${op}: ${r.stderr}`;
      assert.is(r.status, 3, what);
      assert.match(r.stderr, /^theater-timing: wrote \d+ events \(1 chain\) to .*\ntheater-timing: trapped: wasi trap: pollable used after drop( \(an invalid resource handle\))?\n$/, what);
      assert.not.match(r.stderr, /TypeError|Cannot read|undefined|unsettled/, what);
      const verdict = verifyChain(readFileSync(events, 'utf8'));
      assert.ok(verdict.ok, `${what} ${verdict.firstError?.message}`);
      assert.equal(lastEvent(events).outcome, 'trap');
    }
  }
});

test('a recorded clock spinner streams its chain: the host stays up in a 64 MB heap, and the chain verifies', () => {
  const events = join(dir, 'spin.jsonl');
  const manifest = writeManifest(dir, 'spin.toml', manifestFor('clock-spinner', '', '[[handler]]\ntype = "timing"\nmax_events = 0\n'));
  // 500 ms of now() in a loop: on an in-memory recorder that is millions of events, past any 64 MB heap.
  const r = bin(['run', manifest, '--events', events], ['--max-old-space-size=64']);
  assert.is(r.status, 0, r.stderr);
  const count = Buffer.from(r.stdout.trim(), 'hex').readBigUInt64LE(0);
  const written = Number(/wrote (\d+) events/.exec(r.stderr)?.[1]);
  assert.is(written, 1 + 3 + 1 + Number(count) + 1, 'the identity record, the setup events, every now() (the first read and one per loop) and ChainEnd');
  const check = bin(['verify', events], ['--max-old-space-size=64']);
  assert.is(check.status, 0, check.stderr);
  assert.match(check.stdout, new RegExp(`^chain ok: ${written} lines, 1 chain\\n`));
});

test('a clock spinner recorded in Theater\'s format streams too: 100 000 events (a 73 MB chain.json) in a 64 MB heap, kept to max_events, and it verifies in one', () => {
  const events = join(dir, 'spin.chain.json');
  const manifest = writeManifest(dir, 'spin-theater.toml', manifestFor('clock-spinner', '', '[[handler]]\ntype = "timing"\nmax_events = 100000\n'));
  // 10 000 s of now() in a loop, stopped by the budget: the chain was once built in memory, one string past any 64 MB heap.
  const r = bin(['run', manifest, '--events', events, '--chain-format', 'theater', '--state-hex', '00a0724e18090000'], ['--max-old-space-size=64']);
  assert.is(r.status, 3, r.stderr);
  assert.is(r.stderr, `theater-timing: wrote 100003 events (1 Theater chain) to ${events}\ntheater-timing: trapped: wasi trap: event budget exhausted: actor "clock-spinner#0" recorded 100000 events (max_events = 100000)\n`);
  assert.ok(statSync(events).size > 64 * 2 ** 20, `${statSync(events).size} bytes`);
  const check = bin(['verify', events], ['--max-old-space-size=64']);
  assert.is(check.status, 0, check.stderr);
  assert.match(check.stdout, /^theater chain ok: 100003 events, head [0-9a-f]{12}\n/);
  assert.match(check.stdout, /\n {2}shutdown +1\n/);
});

test('max_events: past the budget the actor traps with a clear message; the chain so far is kept and verifies', () => {
  const events = join(dir, 'budget.jsonl');
  const manifest = writeManifest(dir, 'budget.toml', manifestFor('clock-spinner', '', '[[handler]]\ntype = "timing"\nmax_events = 1000\n'));
  const r = bin(['run', manifest, '--events', events]);
  assert.is(r.status, 3, r.stderr);
  const trap = 'wasi trap: event budget exhausted: actor "clock-spinner#0" recorded 1000 events (max_events = 1000)';
  assert.is(r.stderr, `theater-timing: wrote 1005 events (1 chain) to ${events}\ntheater-timing: trapped: ${trap}\n`);
  assert.ok(verifyChain(readFileSync(events, 'utf8')).ok);
  assert.equal(lastEvent(events), { type: 'ChainEnd', events: 1004, outcome: 'trap', message: trap });
});

test('an actor asking for more pollables than its quota traps alone, with a message', () => {
  const r = bin(['run', actorManifest('pollable-hoarder'), '--instances', '2', '--json']);
  assert.is(r.status, 3, r.stderr);
  const out = JSON.parse(r.stdout) as { outcomes: unknown; error: string };
  assert.equal(out.outcomes, { ok: 0, err: 0, trap: 2 });
  assert.is(out.error, 'instance 0: trapped: wasi trap: pollable quota exceeded: actor "pollable-hoarder#0" already holds 10000 live pollables (quota 10000)');
  const fits = bin(['run', actorManifest('pollable-hoarder'), '--instances', '3', '--state-hex', '0f270000']); // 9 999 each, plus the one it sleeps on: exactly the quota
  assert.is(fits.status, 0, fits.stderr);
});

test('a guest err with a newline and ANSI escapes cannot forge output lines; a control-laden state prints as hex', () => {
  const r = bin(['run', actorManifest('err-forger')]);
  assert.is(r.status, 1);
  assert.is(r.stderr, 'theater-timing: init returned err: boom\\n\\e[31mtheater-timing: trapped: forged by the guest\\e[0m\\r\\x07\n');
  const state = bin(['run', actorManifest('err-forger'), '--state', 's']);
  assert.is(state.status, 0);
  assert.is(Buffer.from(state.stdout.trim(), 'hex').toString('latin1'), 'boom\n\x1b[31mtheater-timing: trapped: forged by the guest\x1b[0m\r\x07');
  const json = bin(['run', actorManifest('err-forger'), '--instances', '2']);
  assert.is(json.stderr.split('\n').length, 3, 'two failure lines, nothing forged');
  const named = writeManifest(dir, 'ansi.toml', manifestFor('err-forger').replace('name = "err-forger"', 'name = "evil\\u001b[2J\\nx"'));
  const many = bin(['run', named, '--instances', '2']);
  assert.match(many.stdout, /^evil\\e\[2J\\nx: 2 instances/);
  assert.not.match(many.stdout + many.stderr, /\x1b/);
});

test('--events is checked before the run: not the manifest, not the component, not a folder, a writable folder', () => {
  const manifest = writeManifest(dir, 'target.toml', manifestFor('sleeper'));
  const before = readFileSync(manifest, 'utf8');
  const wasm = readFileSync(actorWasm('sleeper'));
  const cases: Array<[string, RegExp]> = [
    [manifest, /--events: .*target\.toml is the manifest: refusing to overwrite it\n$/],
    [actorWasm('sleeper'), /--events: .*sleeper\.wasm is the component: refusing to overwrite it\n$/],
    [dir, /--events: .* is a folder, not a file\n$/],
    [join(dir, 'no', 'such', 'e.jsonl'), /--events: cannot write .*e\.jsonl \(ENOENT\)\n$/],
  ];
  for (const [target, message] of cases) {
    const r = bin(['run', manifest, '--events', target, '--state', 'bad']); // init would say err: it must never run
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /init returned err/);
  }
  assert.is(readFileSync(manifest, 'utf8'), before);
  assert.equal(readFileSync(actorWasm('sleeper')), wasm);
});

test('a failed or killed run never replaces an existing chain', async () => {
  const events = join(dir, 'good.jsonl');
  const good = bin(['run', actorManifest('wasi-clocks-v020'), '--events', events]);
  assert.is(good.status, 0, good.stderr);
  const original = readFileSync(events, 'utf8');
  const broken = writeManifest(dir, 'broken.toml', manifestFor('no-such-actor'));
  assert.is(bin(['run', broken, '--events', events]).status, 2);
  assert.is(readFileSync(events, 'utf8'), original);
  // Killed mid-run: the sleeper sleeps 20 s; it is killed once its temporary chain file exists.
  const sleep20s = '00c817a804000000';
  const temps = (): string[] => readdirSync(dir).filter((n) => n.startsWith('.good.jsonl.'));
  const started = async (): Promise<void> => {
    for (let waited = 0; temps().length === 0; waited += 50) {
      if (waited > 60_000) throw new Error('the run never opened its temporary file');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const child = spawn(process.execPath, [BIN, 'run', actorManifest('sleeper'), '--events', events, '--state-hex', sleep20s], { cwd: ROOT, stdio: 'ignore' });
  await started();
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.is(readFileSync(events, 'utf8'), original, 'the existing chain is untouched');
  assert.is(temps().length, 1, 'a SIGKILL can leave the temporary file, and only that');
  for (const name of temps()) rmSync(join(dir, name));
  // Interrupted (SIGTERM): the temporary file is removed as well.
  const term = spawn(process.execPath, [BIN, 'run', actorManifest('sleeper'), '--events', events, '--state-hex', sleep20s], { cwd: ROOT, stdio: 'ignore' });
  await started();
  term.kill('SIGTERM');
  const [, signal] = await new Promise<[number | null, string | null]>((r) => term.once('exit', (code, sig) => r([code, sig])));
  assert.is(signal, 'SIGTERM', 'it still dies of the signal');
  assert.is(readFileSync(events, 'utf8'), original);
  assert.equal(temps(), [], 'no temporary file left');
});

test('save_chain: a manifest name cannot lead out of the manifest folder', () => {
  const name = `escaped-${process.pid}`;
  const manifest = writeManifest(dir, 'climb.toml', manifestFor('wasi-clocks-v020', 'save_chain = true').replace('name = "wasi-clocks-v020"', `name = "../${name}"`));
  const r = bin(['run', manifest]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`climb\\.toml: name: "\\.\\./${name}" cannot name a chain file in the manifest's folder \\(save_chain = true\\)`));
  assert.not.ok(existsSync(join(dir, '..', `${name}.events.jsonl`)));
});

test('--instances has an upper bound: exit 2 with a message, at once', () => {
  const started = Date.now();
  const r = bin(['run', actorManifest('sleeper'), '--instances', '100000000']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /^theater-timing: --instances: at most 1000000 per run, got 100000000\n/);
  assert.ok(Date.now() - started < 30_000);
});

test.run();
