// The README's promises that code can check: the example it shows is the file
// the tests run, the quick start names the two commands, and the public API
// exports what the README uses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    'TimingRuntime', 'TimeSource', 'virtualRuntime', 'replayHandler', 'ReplaySession', 'parseRecording',
    'buildTheaterChain', 'verifyTheaterChain', 'parseJsonExact', 'theaterHash', 'KNOWN_HANDLER_TYPES',
    'Admission', 'Thread', 'WaitBudget', 'nodeTimer',
  ]) {
    assert.ok(name in api, `${name} is exported`);
  }
  assert.is(new api.TimingHandler().name, 'timing');
});

test('the "Deterministic time" examples run and print what the README shows', () => {
  const section = readme.slice(readme.indexOf('## Deterministic time'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  const tmp = mkdtempSync(join(tmpdir(), 'theater-readme-'));
  try {
    // One `$ command` followed by the lines it prints; `…` ends a line shown cut short.
    const steps = block.split(/^\$ /m).filter((step) => step.trim() !== '');
    for (const step of steps) {
      const [command, ...shown] = step.trimEnd().split('\n');
      // /tmp/ first: the checkout itself (and so the node binary's path) may live under /tmp.
      const script = command.replaceAll('/tmp/', `${tmp}/`).replaceAll('npx theater-timing', `"${process.execPath}" dist/theater-timing.js`);
      const run = spawnSync('bash', ['-c', `{ ${script}; } 2>&1`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      const output = run.stdout.replaceAll(`${tmp}/`, '/tmp/');
      for (const line of shown) {
        const cut = line.indexOf('…');
        // Counts of events depend on how the run went (the seed's actor re-checks after a late wake): any number matches a number.
        const pattern = new RegExp(`^${(cut >= 0 ? line.slice(0, cut) : line).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\b\d+ events\b/g, '\\d+ events')}${cut >= 0 ? '' : '$'}`);
        assert.ok(output.split('\n').some((l) => pattern.test(l)), `"${command}" printed ${JSON.stringify(output)}, README shows ${JSON.stringify(line)}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
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
