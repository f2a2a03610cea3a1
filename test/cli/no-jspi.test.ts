// The no-JSPI path, on the machine's own Node when it has no JSPI (Debian's Node 20):
// the bundled CLI and library say so once, in one line, and mode "jspi" is a clear error.
// Skipped where no such Node is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { actorManifest, actorWasm, BIN, ROOT, tempDir } from './support.ts';

const OLD_NODE = '/usr/bin/node';
const probe = existsSync(OLD_NODE)
  ? spawnSync(OLD_NODE, ['-p', 'process.version + " " + typeof WebAssembly.Suspending'], { encoding: 'utf8' }).stdout.trim().split(' ')
  : [];
const version = probe[0] ?? '';
const runs = probe[1] === 'undefined';

const test = suite(`no JSPI (${runs ? version : 'skipped: no Node without JSPI at ' + OLD_NODE})`);
const NOTICE = `this Node (${version}) has no JSPI; block/poll fall back to blocking the thread (actors sleep one after another). Use Node >= 24.21.`;

function old(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(OLD_NODE, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

if (runs) {
  const cache = tempDir(); // empty: the old Node transpiles (sync glue) itself
  test.after(() => rmSync(cache, { recursive: true, force: true }));

  test('the CLI runs in the sync fallback and says so once, in one line', () => {
    const r = old([BIN, 'run', actorManifest('sleeper'), '--instances', '3'], { THEATER_TIMING_CACHE: cache });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, `theater-timing: ${NOTICE}\n`);
    assert.match(r.stdout, /3 instances: 3 ok/);
  });

  test('the CLI says nothing when sync is asked for', () => {
    const r = old([BIN, 'run', actorManifest('sleeper'), '--mode', 'sync'], { THEATER_TIMING_CACHE: cache });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, '');
  });

  test('the CLI with --mode jspi fails with one clear line', () => {
    const r = old([BIN, 'run', actorManifest('sleeper'), '--mode', 'jspi'], { THEATER_TIMING_CACHE: cache });
    assert.is(r.status, 2);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, `mode "jspi" was requested, but this Node (${version}) has no JSPI (WebAssembly.Suspending): use Node >= 24.21`);
  });

  test('the library: one process warning for auto, a clear error for mode "jspi"', () => {
    const script = `
      const m = await import(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});
      const bytes = (await import('node:fs')).readFileSync(${JSON.stringify(actorWasm('sleeper'))});
      const errors = [];
      for (const call of [() => new m.TimingHandler({}, null, { mode: 'jspi' }), () => m.transpileComponent(bytes, { mode: 'jspi', cacheDir: false })]) {
        try { await call(); errors.push('no error'); } catch (error) { errors.push(error.constructor.name + ': ' + error.message); }
      }
      process.on('warning', (w) => console.log('warning ' + w.code + ': ' + w.message));
      const modes = [new m.TimingHandler().mode, new m.TimingHandler().mode];
      await new Promise((ok) => setTimeout(ok, 10));
      console.log(JSON.stringify({ errors, modes }));`;
    const r = old(['--no-warnings', '--input-type=module', '-e', script]);
    assert.is(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.slice(0, -1), [`warning THEATER_TIMING_NO_JSPI: ${NOTICE}`]);
    const { errors, modes } = JSON.parse(lines.at(-1) ?? '') as { errors: string[]; modes: string[] };
    assert.equal(modes, ['sync', 'sync']);
    assert.match(errors[0] ?? '', /^Error: mode "jspi" was requested, but this Node .* use Node >= 24\.21/);
    assert.match(errors[1] ?? '', /^Error: transpileComponent: mode "jspi" was requested/);
  });
} else {
  test('skipped: no Node without JSPI here', () => {});
}

test.run();
