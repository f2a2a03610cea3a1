// The README's promises that code can check: the example it shows is the file
// the tests run, the quick start names the two commands, and the public API
// exports what the README uses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as api from '../src/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('the quick start has exactly the two set-up commands', () => {
  assert.ok(readme.includes('npm install && npm run demo'));
  assert.ok(readme.includes('npm test'));
});

test('the import-object example in the README is scripts/example-host.ts, and it runs', () => {
  const example = readFileSync(join(ROOT, 'scripts', 'example-host.ts'), 'utf8').trimEnd();
  assert.ok(readme.includes(`\`\`\`ts\n${example}\n\`\`\``), 'README shows scripts/example-host.ts verbatim');
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'example-host.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /imports served: wasi:clocks\/monotonic-clock, wasi:clocks\/wall-clock, wasi:io\/poll\n/);
  assert.match(run.stdout, /init returned: wasi-clocks-test: all checks passed\n/);
  assert.match(run.stdout, /events recorded: 5[34]\n/, run.stdout);
});

test('the public API exports the handler, registry, runtime, chain and adapters by name', () => {
  for (const name of [
    'TimingHandler', 'HandlerRegistry', 'ConfigError', 'parseTimingHostConfig', 'parseTimingPermissions', 'EventRecorder',
    'buildChain', 'verifyChain', 'loadManifest', 'runFleet', 'Actor', 'transpileComponent', 'timingImports', 'Pollable',
    'TimingHost', 'Scheduler', 'TimerWheel', 'WasiTrap', 'jspiAvailable', 'defaultMaxLive', 'formatTimeline',
    'buildTheaterChain', 'verifyTheaterChain', 'parseJsonExact', 'theaterHash', 'KNOWN_HANDLER_TYPES',
  ]) {
    assert.ok(name in api, `${name} is exported`);
  }
  assert.is(new api.TimingHandler().name, 'timing');
});

test('the package exports map points at the built bundle and declarations', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }>; bin: Record<string, string> };
  const main = pkg.exports['.'];
  assert.is(main.types, './dist/types/index.d.ts');
  assert.match(readFileSync(join(ROOT, main.types), 'utf8'), /export \{ TimingHandler,/);
  assert.match(readFileSync(join(ROOT, main.default), 'utf8'), /TimingHandler = class|class TimingHandler/);
  assert.match(readFileSync(join(ROOT, pkg.bin['theater-timing']), 'utf8'), /^#!\/usr\/bin\/env node\n/);
  assert.ok(readFileSync(join(ROOT, 'dist', 'types', 'wasi', 'jco', 'wasi-io-poll.d.ts'), 'utf8').includes('export function poll('));
});

test.run();
