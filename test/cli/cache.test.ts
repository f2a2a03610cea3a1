// The transpile cache through the binary: a folder others could write is not
// used (the run goes on, transpiling in memory, and says so in one line); a
// private one is used and kept private.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { actorManifest, BIN, ROOT, tempDir } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

function runWithCache(cache: string) {
  const r = spawnSync(process.execPath, [BIN, 'run', actorManifest('wasi-clocks-v020')], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, THEATER_TIMING_CACHE: cache },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('run: a world-writable THEATER_TIMING_CACHE is not used; one line names it and the fix; the run goes on', () => {
  const shared = join(dir, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  const r = runWithCache(shared);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, `theater-timing: transpile cache ${shared} not used: it is writable by group or others (mode 0777), and whoever can write it could run code in this process. Fix: chmod 700 ${shared}, or set THEATER_TIMING_CACHE to a private folder. This run transpiles in memory.\n`);
  assert.equal(readdirSync(shared), [], 'nothing was read from or written to it');
});

test('run: a new THEATER_TIMING_CACHE is made private (0700), and a second run loads from it silently', () => {
  const mine = join(dir, 'mine', 'transpiled');
  const first = runWithCache(mine);
  assert.is(first.status, 0, first.stderr);
  assert.is(first.stderr, '');
  assert.is(statSync(mine).mode & 0o777, 0o700);
  assert.is(statSync(join(mine, '..')).mode & 0o777, 0o700);
  assert.is(readdirSync(mine).length, 2, 'the key and one entry');
  const second = runWithCache(mine);
  assert.is(second.status, 0, second.stderr);
  assert.is(second.stderr, '');
});

test.run();
