// Acceptance for the `--map` drop-in (issue 19.2), from a FRESH consumer project
// outside this repo: `npm pack` this package, install the tarball and
// preview2-shim offline into a temp dir, `jco transpile` the sleeper (100 ms) with
// the documented --map line (ESM glue, JSPI flags) and run out/app.js in this Node:
// the sleep takes ≥ 100 ms while a 1 ms setInterval keeps ticking. The same
// component transpiled without the JSPI flags traps naming them (issue 19.1).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildActors } from '../../scripts/build-actors.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const EXPORT = 'theater:simple/actor#init';
const MAP = ['--map', 'wasi:clocks/*=theater-handler-timing/wasi/clocks#*', '--map', 'wasi:io/poll=theater-handler-timing/wasi/io#poll'];
const JSPI = ['--async-mode', 'jspi', '--async-imports', 'wasi:io/poll#poll', '--async-imports', 'wasi:io/poll#[method]pollable.block', '--async-exports', EXPORT];
// npm and jco run on this Node (26, with JSPI), not the machine's.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const [sleeper, stdinPoller] = await buildActors({ only: ['sleeper', 'stdin-poller'] });
if (!existsSync(join(ROOT, 'dist', 'wasi', 'clocks.js'))) run(process.execPath, ['scripts/build.ts'], ROOT);
const consumer = mkdtempSync(join(tmpdir(), 'dropin-consumer-'));

test.after(() => rmSync(consumer, { recursive: true, force: true }));

test('a fresh consumer installs the packed package and preview2-shim offline', () => {
  run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', consumer], ROOT);
  const tarball = readdirSync(consumer).find((name) => name.endsWith('.tgz'))!;
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const shim = join(ROOT, 'node_modules', '@bytecodealliance', 'preview2-shim');
  run('npm', ['i', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional', `./${tarball}`, `file:${shim}`], consumer);
  const installed = join(consumer, 'node_modules', 'theater-handler-timing');
  const { exports } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
  for (const entry of ['./wasi/clocks', './wasi/io']) {
    assert.ok(existsSync(join(installed, exports[entry].default)), entry);
    assert.ok(existsSync(join(installed, exports[entry].types)), `${entry} types`);
  }
  copyFileSync(sleeper.outPath, join(consumer, 'app.wasm'));
  copyFileSync(stdinPoller.outPath, join(consumer, 'poller.wasm'));
  // stdin-poller: polls [our timer, preview2-shim's stdin pollable] (how 0) or blocks on the latter (how 1).
  writeFileSync(join(consumer, 'poller.mjs'), `
import { stdin } from '@bytecodealliance/preview2-shim/cli';
stdin.getStdin(); // preview2-shim's worker up before the clock starts (the guest's get-stdin gets this stream)
const { actor } = await import('./out-poller/poller.js');
const state = new Uint8Array(8);
new DataView(state.buffer).setUint32(0, Number(process.argv[2]), true);
new DataView(state.buffer).setUint32(4, Number(process.argv[3]), true);
let ticks = 0;
const interval = setInterval(() => ticks++, 1);
const t0 = performance.now();
process.stdout.write('polling\\n');
const [out] = await actor.init(state);
const ms = performance.now() - t0;
clearInterval(interval);
console.log(JSON.stringify({ ready: Array.from(new Uint32Array(out.buffer, out.byteOffset, out.byteLength / 4)), ms, ticks }));
process.exit(0);
`);
  writeFileSync(join(consumer, 'run.mjs'), `
const { actor } = await import(process.argv[2]);
let ticks = 0;
const interval = setInterval(() => ticks++, 1);
const t0 = performance.now();
let error = null;
try { await actor.init(); } catch (e) { error = e.message; }
const ms = performance.now() - t0;
clearInterval(interval);
console.log(JSON.stringify({ ms, ticks, error }));
`);
});

// The user's own jco CLI (the consumer installed ours with --omit=optional, without jco).
const jco = (args: string[], component = 'app.wasm') => run(process.execPath, [join(ROOT, 'node_modules', '@bytecodealliance', 'jco', 'src', 'jco.js'), 'transpile', component, '-q', ...args], consumer);
const runApp = (dir: string) => JSON.parse(run(process.execPath, ['run.mjs', `./${dir}/app.js`], consumer)) as { ms: number; ticks: number; error: string | null };

test('the --map line with the JSPI flags: a 100 ms sleep takes ≥ 100 ms while a 1 ms interval keeps ticking', () => {
  jco(['-o', 'out', ...MAP, ...JSPI]);
  // The glue imports the two drop-in modules; everything else (none here) stays with preview2-shim.
  let result = runApp('out');
  // Ticks measure the event loop of a possibly loaded machine (80–90 on a quiet one; a
  // blocked thread gives 0 or 1): up to two more tries before failing, and 20 is enough.
  for (let i = 0; i < 2 && result.ticks < 20; i++) result = runApp('out');
  assert.is(result.error, null);
  assert.ok(result.ms >= 99.9 && result.ms < 1100, `slept ${result.ms.toFixed(1)} ms`);
  assert.ok(result.ticks >= 20, `the interval ticked ${result.ticks} times during the sleep`);
});

test('the --map line without the JSPI flags: the guest traps naming them, it never sleeps ~1 ms', () => {
  jco(['-o', 'out-sync', ...MAP]);
  const result = runApp('out-sync');
  assert.ok(result.error?.startsWith('wasi trap: a wait (pollable.block or poll) returned a Promise that the caller did not await'), String(result.error));
  assert.ok(result.error!.includes("--async-mode jspi --async-imports 'wasi:io/poll#poll' --async-imports 'wasi:io/poll#[method]pollable.block' --async-exports"));
});

/** Runs poller.mjs with stdin on a FIFO; writes to it `streamMs` after the guest starts. */
function runPoller(timerMs: number, how: 0 | 1, streamMs: number): Promise<{ ready: number[]; ms: number; ticks: number }> {
  const fifo = join(consumer, `stdin-${timerMs}-${how}`);
  execFileSync('mkfifo', [fifo]);
  const stdin = openSync(fifo, 'r+');
  const child = spawn(process.execPath, ['poller.mjs', String(timerMs), String(how)], { cwd: consumer, env, stdio: [stdin, 'pipe', 'inherit'] });
  // Our read-write end stays open until the child exits: a write due after the child
  // is gone (its exit event can come late on a loaded machine) then never fails with EPIPE.
  const writer = openSync(fifo, 'w');
  return new Promise((done, fail) => {
    let out = '';
    let feed: NodeJS.Timeout | undefined;
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (feed === undefined && out.startsWith('polling\n')) feed = setTimeout(() => writeSync(writer, 'hello\n'), streamMs);
    });
    child.on('exit', (code) => {
      clearTimeout(feed);
      closeSync(writer);
      closeSync(stdin);
      if (code !== 0) return fail(new Error(`poller exited ${code}: ${out}`));
      done(JSON.parse(out.trim().split('\n').pop()!) as { ready: number[]; ms: number; ticks: number });
    });
  });
}

test('a real guest mixing our timer with preview2-shim\'s stdin (glue: streams and cli from preview2-shim, clocks and poll mapped to us)', async () => {
  jco(['-o', 'out-poller', ...MAP, ...JSPI], 'poller.wasm');
  const glue = readFileSync(join(consumer, 'out-poller', 'poller.js'), 'utf8');
  assert.match(glue, /from '@bytecodealliance\/preview2-shim\/io'/);
  assert.match(glue, /from 'theater-handler-timing\/wasi\/io'/);
  // poll([50 ms timer, stdin]) with data at 20 ms: the stream's index, not before its data.
  const polled = await runPoller(50, 0, 20);
  assert.equal(polled.ready, [1], JSON.stringify(polled));
  assert.ok(polled.ms >= 20, `returned after ${polled.ms.toFixed(1)} ms`);
  // block on the stdin pollable (adopted by our Pollable): the guest suspends, the loop runs.
  const blocked = await runPoller(0, 1, 100);
  assert.ok(blocked.ms >= 100 && blocked.ms < 1500, `returned after ${blocked.ms.toFixed(1)} ms`);
  assert.ok(blocked.ticks >= 10, `the interval ticked ${blocked.ticks} times while the guest blocked`);
});

test.run();
