// The published binary (dist/theater-timing.js, bundled by `npm run build`),
// spawned as a user runs it: every exit code, with its stdout and stderr.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, TOP_FLAGS, TOPICS } from '../../src/cli/flags.ts';
import { actorManifest, bin, manifestFor, ROOT, tempDir, writeManifest } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('exit 0: the seed scenario prints the actor state', () => {
  const r = bin('run', actorManifest('wasi-clocks-test'));
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'wasi-clocks-test: all checks passed\n');
});

test('exit 1: init returned err, message on stderr', () => {
  const r = bin('run', actorManifest('sleeper'), '--state', 'x');
  assert.is(r.status, 1);
  assert.is(r.stderr, 'theater-timing: init returned err: sleeper: state must be 8 bytes, a u64 LE duration in ns\n');
});

test('exit 2: bad invocation and bad manifest, one line, no stack trace', () => {
  const usage = bin('run');
  assert.is(usage.status, 2);
  assert.match(usage.stderr, /^theater-timing: run: missing <manifest.toml>\n/);
  const bad = bin('run', writeManifest(dir, 'neg.toml', manifestFor('sleeper', '', '[[handler]]\ntype = "timing"\nmin_sleep_duration = -1\n')));
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /^theater-timing: .*neg\.toml: handler\[0\]\.min_sleep_duration: .*-1.*\n$/);
  assert.not.match(bad.stderr, /\n\s+at /);
});

test('exit 3: a trap, message on stderr', () => {
  const r = bin('run', actorManifest('poll-empty'));
  assert.is(r.status, 3);
  assert.is(r.stderr, 'theater-timing: trapped: wasi trap: poll: attempt to poll on an empty list\n');
});

test('exit 3: max_cpu_ms traps a spinning guest through the binary, with the budget in the message', () => {
  const handler = '[[handler]]\ntype = "timing"\nmin_sleep_duration = 0\nmax_cpu_ms = 50\n';
  const manifest = writeManifest(dir, 'greedy.toml', manifestFor('spinner', '', handler));
  // mode 1 (read now() in a loop) for 10 s: the budget stops it long before
  const r = bin('run', manifest, '--state-hex', '0100000000e40b5402000000');
  assert.is(r.status, 3, r.stderr);
  assert.match(r.stderr, /^theater-timing: trapped: wasi trap: cpu budget exceeded: actor "[^"]+" ran \d+ ms in one call, not counting waits \(max_cpu_ms 50\)\n$/);
});

test('--json and verify through the binary', () => {
  const events = join(dir, 'bin.jsonl');
  const r = bin('run', actorManifest('sleeper'), '--instances', '4', '--json', '--events', events, '--state-hex', '40420f0000000000');
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ok: boolean; instances: number; spawnMs: number; runMs: number };
  assert.is(out.ok, true);
  assert.is(out.instances, 4);
  const v = bin('verify', events);
  assert.is(v.status, 0, v.stderr);
  assert.match(v.stdout, /^chain ok: \d+ lines, 4 chains\n/);
});

test('<command> --help and -h: that command\'s usage, one line per flag, on stdout, exit 0', () => {
  for (const topic of TOPICS) {
    const help = bin(topic, '--help');
    assert.is(help.status, 0, help.stderr);
    assert.is(help.stderr, '');
    assert.match(help.stdout, new RegExp(`^theater-timing ${topic}: .*\n\nusage: theater-timing ${topic} `));
    const lines = help.stdout.split('\n');
    for (const flag of COMMANDS[topic].flags) {
      const named = lines.filter((line) => line.trimStart().startsWith(`${flag.short === undefined ? flag.long : `${flag.short}, ${flag.long}`} `));
      assert.is(named.length, 1, `${topic} --help: ${flag.long}`);
      assert.ok(named[0].includes(flag.help), named[0]);
    }
    assert.is(bin(topic, '-h').stdout, help.stdout);
    assert.is(bin('help', topic).stdout, help.stdout);
  }
});

test('--help, -h and help: the overview, naming every command and top-level flag', () => {
  const help = bin('--help');
  assert.is(help.status, 0, help.stderr);
  for (const topic of TOPICS) assert.match(help.stdout, new RegExp(`\n  ${topic} +\\S`));
  for (const flag of TOP_FLAGS) assert.ok(help.stdout.includes(`${flag.short}, ${flag.long}`), flag.long);
  assert.is(bin('-h').stdout, help.stdout);
  assert.is(bin('help').stdout, help.stdout);
});

test('a usage error: exactly two lines on stderr (the problem, then where the help is), nothing on stdout, exit 2', () => {
  const cases: Array<[string[], string]> = [
    [['run', 'm.toml', '--verbose'], 'unknown option "--verbose"\nsee: theater-timing run --help'],
    [['merge', 'a.json', '--events'], '--events: missing value\nsee: theater-timing merge --help'],
    [['verify', '--bogus'], 'unknown option "--bogus"\nsee: theater-timing verify --help'],
    [['verify'], 'verify: expected exactly one <events.jsonl | chain.json>\nsee: theater-timing verify --help'],
    [['timeline', 'a.jsonl', '--zoom'], 'unknown option "--zoom"\nsee: theater-timing timeline --help'],
    [['fly'], 'unknown command "fly"\nsee: theater-timing --help'],
    [['help', 'fly'], 'help: unknown command "fly" (commands: run, resume, merge, verify, timeline)\nsee: theater-timing --help'],
  ];
  for (const [argv, message] of cases) {
    const r = bin(...argv);
    assert.is(r.status, 2, argv.join(' '));
    assert.is(r.stderr, `theater-timing: ${message}\n`);
    assert.is(r.stdout, '');
  }
});

test('verify --help describes verify; it never reads a file named --help', () => {
  const r = bin('verify', '--help');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^theater-timing verify: /);
  assert.not.match(r.stdout + r.stderr, /cannot read/);
});

test('the source entry runs the same CLI as the bundle', () => {
  const fromSource = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), '--version'], { encoding: 'utf8' });
  assert.is(fromSource.status, 0, fromSource.stderr);
  assert.is(fromSource.stdout, bin('--version').stdout);
  const bad = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'fly'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
});

test.run();
