// Issue 20: init's state and err message are bounded (64 MiB, MAX_STATE_BYTES)
// both ways, with one line, never a stack trace. Through the binary, with the
// big-state actor (mode byte + u32 LE length: S zero bytes, T text, E err).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_STATE_BYTES } from '../../src/base/units.ts';
import { BIN, ROOT, manifestFor, tempDir, writeManifest } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));
const NO_STACK = /\n\s+at |RangeError|TypeError|node:internal|ERR_STRING_TOO_LONG/;

/** A manifest of big-state whose init_state asks for `mode` and `bytes`. */
function bigState(mode: 'S' | 'T' | 'E', bytes: number): string {
  const state = Buffer.alloc(5);
  state.write(mode, 0);
  state.writeUInt32LE(bytes, 1);
  const name = `${mode}-${bytes}`;
  writeFileSync(join(dir, `${name}.bin`), state);
  return writeManifest(dir, `${name}.toml`, manifestFor('big-state', `init_state = "${name}.bin"`));
}

/** Runs the binary with stdout into a file (a 64 MiB state is more than a pipe buffer should hold). */
function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = join(dir, 'stdout');
  const fd = openSync(out, 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', fd, 'pipe'] });
    return { status: r.status, stdout: out, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

function trapped(r: { status: number | null; stderr: string }, message: string): void {
  assert.is(r.status, 3, r.stderr);
  assert.is(r.stderr, `theater-timing: trapped: wasi trap: ${message}\n`);
  assert.not.match(r.stderr, NO_STACK);
}

test('a 600 MiB state traps in one line (was: ERR_STRING_TOO_LONG, a stack trace, exit 1)', () => {
  trapped(run('run', bigState('S', 600 * 2 ** 20)), `init returned a state of ${600 * 2 ** 20} bytes; at most ${MAX_STATE_BYTES} (64 MiB) are taken`);
});

test('a state of exactly 64 MiB is shown (text, and as hex in --json); one byte more traps', () => {
  const text = run('run', bigState('T', MAX_STATE_BYTES));
  assert.is(text.status, 0, text.stderr);
  assert.is(statSync(text.stdout).size, MAX_STATE_BYTES + 1);
  const json = run('run', bigState('S', MAX_STATE_BYTES), '--json');
  assert.is(json.status, 0, json.stderr);
  const summary = JSON.parse(readFileSync(json.stdout, 'utf8')) as { state: string; stateEncoding: string };
  assert.is(summary.stateEncoding, 'hex');
  assert.is(summary.state.length, 2 * MAX_STATE_BYTES);
  trapped(run('run', bigState('T', MAX_STATE_BYTES + 1)), `init returned a state of ${MAX_STATE_BYTES + 1} bytes; at most ${MAX_STATE_BYTES} (64 MiB) are taken`);
});

test('an err message over 64 MiB traps, and one too long for a string too', () => {
  trapped(run('run', bigState('E', MAX_STATE_BYTES + 1)), `init returned an err message of ${MAX_STATE_BYTES + 1} bytes; at most ${MAX_STATE_BYTES} (64 MiB) are taken`);
  trapped(run('run', bigState('E', 600 * 2 ** 20)), `init returned an err message of more bytes than a JavaScript string can hold; at most ${MAX_STATE_BYTES} (64 MiB) are taken`);
  const small = run('run', bigState('E', 3));
  assert.is(small.status, 1);
  assert.is(small.stderr, 'theater-timing: init returned err: xxx\n');
});

test('an init_state file over 64 MiB is refused before it is read: one line naming the field, exit 2', () => {
  const file = join(dir, 'huge.bin');
  writeFileSync(file, '');
  truncateSync(file, MAX_STATE_BYTES + 1); // sparse: nothing is written
  const manifest = writeManifest(dir, 'huge.toml', manifestFor('big-state', 'init_state = "huge.bin"'));
  const r = run('run', manifest);
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr, `theater-timing: ${manifest}: init_state: ${JSON.stringify(file)} is ${MAX_STATE_BYTES + 1} bytes; a state is at most ${MAX_STATE_BYTES} (64 MiB)\n`);
});

test.run();
