// The README's and docs/'s promises that code can check: the examples they show
// are the files the tests run, every `$ command` block runs and prints what it
// shows, every doc is linked from the README and every link lands, the quick
// start names the two commands, and the public API exports what they use.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import * as api from '../src/index.ts';
import { LAYERS } from '../scripts/check-layers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = join(ROOT, 'docs');
const docNames = readdirSync(DOCS).filter((name) => name.endsWith('.md')).sort();
/** README.md and every docs/*.md, by path from the root. */
const pages = new Map<string, string>([
  ['README.md', readme],
  ...docNames.map((name): [string, string] => [`docs/${name}`, readFileSync(join(DOCS, name), 'utf8')]),
]);
const page = (path: string): string => {
  const text = pages.get(path);
  assert.ok(text !== undefined, `${path} exists`);
  return text ?? '';
};

test('the quick start has exactly the two set-up commands', () => {
  assert.ok(readme.includes('npm install && npm run demo'));
  assert.ok(readme.includes('npm test'));
});

const chainExample = readFileSync(join(ROOT, 'scripts', 'example-chain.ts'), 'utf8').trimEnd();

test('the README is short and opens with what it is, JSPI, npm i and the example', () => {
  const lines = readme.trimEnd().split('\n');
  assert.ok(lines.length <= 250, `README.md has ${lines.length} lines, at most 250`);
  const first40 = lines.slice(0, 40).join('\n');
  assert.ok(first40.includes('https://github.com/colinrozzi/theater'), 'links Theater');
  assert.ok(first40.includes('JSPI'), 'names JSPI');
  assert.ok(first40.includes('npm i theater-handler-timing'), 'shows npm i');
  assert.ok(first40.includes(`\`\`\`ts\n${chainExample.split('\n')[0]}`), 'starts the library example');
  assert.ok(readme.includes('MIT OR Apache-2.0'), 'keeps the license line');
  assert.ok(readme.includes('## Dependencies'), 'keeps the dependencies list');
});

test('every file in docs/ is linked from the README', () => {
  for (const name of docNames) assert.ok(readme.includes(`](docs/${name})`) || readme.includes(`](docs/${name}#`), `README links docs/${name}`);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  let inCode = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (!inCode && heading !== null) anchors.add(slug(heading[1]!));
  }
  return anchors;
}

test('every relative link in the README and docs/ lands on a file, and on a heading when it names one', () => {
  for (const [path, text] of pages) {
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [file, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = file === '' ? join(ROOT, path) : resolve(ROOT, dirname(path), file);
      assert.ok(existsSync(resolved), `${path}: ${target} names a missing file`);
      if (anchor !== undefined && resolved.endsWith('.md')) {
        const anchors = anchorsOf(readFileSync(resolved, 'utf8'));
        assert.ok(anchors.has(anchor), `${path}: ${target}: no heading "#${anchor}" in ${relative(ROOT, resolved)}`);
      }
    }
  }
});

test('docs/DESIGN.md draws the layers of scripts/check-layers.ts, top first', () => {
  const design = page('docs/DESIGN.md');
  const diagram = /## Layers\n[\s\S]*?```\n([\s\S]*?)```/.exec(design)?.[1] ?? '';
  const drawn = [...diagram.matchAll(/^ src\/([a-z0-9]+)\//gm)].map((m) => m[1]);
  assert.equal(drawn, [...LAYERS].reverse());
});

test('no page mentions notes kept outside the repository', () => {
  for (const [path, text] of pages) {
    // The names are spelled in parts so that this file does not name them either.
    for (const word of [['..', 'shared'].join('/'), ['FACTS', 'md'].join('.'), ['STYLE', 'md'].join('.')]) assert.not.ok(text.includes(word), `${path} mentions ${word}`);
  }
});

test('the library example in the README is scripts/example-chain.ts; it runs and its chain verifies', async () => {
  assert.ok(readme.includes(`\`\`\`ts\n${chainExample}\n\`\`\``), 'README shows scripts/example-chain.ts verbatim');
  const tmp = mkdtempSync(join(tmpdir(), 'theater-readme-'));
  try {
    const out = join(tmp, 'example.events.jsonl');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'example-chain.ts'), out], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.is(run.status, 0, run.stderr);
    assert.match(run.stdout, /^init ok; wrote \d+ events to /);
    const verdict = await api.verifyChainFile(out);
    assert.ok(verdict.ok, JSON.stringify(verdict.firstError));
    assert.is(verdict.chains.length, 1);
    assert.is(verdict.countsByType['ChainEnd'], 1);
    const cli = spawnSync(process.execPath, [join(ROOT, 'dist', 'theater-timing.js'), 'verify', out], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.is(cli.status, 0, cli.stdout + cli.stderr);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the import-object example in docs/LIBRARY.md is scripts/example-host.ts, and it runs', () => {
  const example = readFileSync(join(ROOT, 'scripts', 'example-host.ts'), 'utf8').trimEnd();
  assert.ok(page('docs/LIBRARY.md').includes(`\`\`\`ts\n${example}\n\`\`\``), 'docs/LIBRARY.md shows scripts/example-host.ts verbatim');
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'example-host.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /imports served: wasi:clocks\/monotonic-clock, wasi:clocks\/wall-clock, wasi:io\/poll\n/);
  assert.match(run.stdout, /init returned: wasi-clocks-test: all checks passed\n/);
  assert.match(run.stdout, /events recorded: 5[34]\n/, run.stdout);
});

test('the manifest example in docs/MANIFESTS.md loads', () => {
  const toml = /```toml\n([\s\S]*?)```/.exec(page('docs/MANIFESTS.md'))?.[1];
  assert.ok(toml !== undefined, 'docs/MANIFESTS.md has a toml block');
  const tmp = mkdtempSync(join(tmpdir(), 'theater-readme-'));
  try {
    // The example names ../build/wasi-clocks-test.wasm and state.json beside it: lay them out.
    mkdirSync(join(tmp, 'actor'));
    mkdirSync(join(tmp, 'build'));
    copyFileSync(join(ROOT, 'test-actors', 'build', 'wasi-clocks-test.wasm'), join(tmp, 'build', 'wasi-clocks-test.wasm'));
    writeFileSync(join(tmp, 'actor', 'state.json'), '{}');
    writeFileSync(join(tmp, 'actor', 'manifest.toml'), toml ?? '');
    const manifest = api.loadManifest(join(tmp, 'actor', 'manifest.toml'));
    assert.is(manifest.name, 'wasi-clocks-test');
    assert.is(manifest.component, join(tmp, 'build', 'wasi-clocks-test.wasm'));
    assert.ok(manifest.handlers.some((h) => h.type === 'timing'), 'has the timing handler');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the public API exports the handler, registry, runtime, chain and adapters by name', () => {
  for (const name of [
    'TimingHandler', 'HandlerRegistry', 'ConfigError', 'parseTimingHostConfig', 'parseTimingPermissions', 'EventRecorder',
    'buildChain', 'verifyChain', 'loadManifest', 'runFleet', 'Actor', 'transpileComponent', 'timingImports', 'Pollable',
    'TimingHost', 'Scheduler', 'TimerWheel', 'WasiTrap', 'jspiAvailable', 'defaultMaxLive', 'formatTimeline',
    'TimingRuntime', 'TimeSource', 'virtualRuntime', 'replayHandler', 'ReplaySession', 'parseRecording',
    'buildTheaterChain', 'verifyTheaterChain', 'parseJsonExact', 'theaterHash', 'KNOWN_HANDLER_TYPES',
    'Admission', 'Thread', 'WaitBudget', 'nodeTimer', 'chainEnd', 'writeChainJsonl', 'verifyChainFile',
  ]) {
    assert.ok(name in api, `${name} is exported`);
  }
  assert.is(new api.TimingHandler().name, 'timing');
});

/**
 * The shell blocks that show a session: "$ command", then the lines it prints.
 * A shown line must appear in the output; "…" ends a line shown cut short, a
 * line of "..." stands for lines left out, and counts of events or lines match
 * any number (an actor re-checks after a late wake, so counts vary).
 */
const sessions = [...pages].flatMap(([path, text]) => [...text.matchAll(/```sh\n(\$ [\s\S]*?)```/g)].map((m, i) => ({ path, index: i, block: m[1]! })));

test('the README and docs/ show runnable sessions where they should', () => {
  const where = new Set(sessions.map((s) => s.path));
  for (const path of ['README.md', 'docs/CLI.md', 'docs/DETERMINISTIC-TIME.md', 'docs/TIMELINE.md', 'docs/FLEETS.md']) assert.ok(where.has(path), `${path} has a "$ " session`);
});

for (const { path, index, block } of sessions) {
  test(`${path}, session ${index + 1}: every command runs and prints what the page shows`, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'theater-readme-'));
    try {
      const steps = block.split(/^\$ /m).filter((step) => step.trim() !== '');
      for (const step of steps) {
        const [command, ...shown] = step.trimEnd().split('\n');
        // /tmp/ first: the checkout itself (and so the node binary's path) may live under /tmp.
        const script = command!.replaceAll('/tmp/', `${tmp}/`)
          .replaceAll('npx theater-timing', `"${process.execPath}" dist/theater-timing.js`)
          .replace(/^node /, `"${process.execPath}" `);
        // A newline before the closing brace: a command may end in a `# comment`.
        const run = spawnSync('bash', ['-c', `{ ${script}\n} 2>&1`], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
        const output = run.stdout.replaceAll(`${tmp}/`, '/tmp/');
        for (const line of shown) {
          if (line.trim() === '...') continue;
          const cut = line.indexOf('…');
          const text = (cut >= 0 ? line.slice(0, cut) : line).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\b\d+ (events|lines)\b/g, '\\d+ $1');
          const pattern = new RegExp(`^${text}${cut >= 0 ? '' : '$'}`);
          assert.ok(output.split('\n').some((l) => pattern.test(l)), `${path}: "${command}" printed ${JSON.stringify(output)}, the page shows ${JSON.stringify(line)}`);
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

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
