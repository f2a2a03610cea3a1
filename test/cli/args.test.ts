import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args.ts';
import { COMMANDS, TOP_FLAGS, TOPICS, type Topic } from '../../src/cli/flags.ts';
import { commandHelp, overview, seeLine } from '../../src/cli/help.ts';
import { ROOT } from './support.ts';

test('run: defaults and every option', () => {
  assert.equal(parseArgs(['run', 'm.toml']), {
    command: 'run', manifest: 'm.toml', events: null, chainFormat: 'jsonl', instances: 1, json: false, maxLive: null, mode: 'auto', state: null,
    clock: 'real', startWallNs: null, replay: null, shards: null, shardIndex: null, shardCount: null, ipc: false, coarseTimer: false, replayAnyComponent: false, durable: null,
  });
  const run = parseArgs(['run', '--events', 'e.jsonl', 'm.toml', '--instances=20000', '--json', '--max-live', '7', '--mode', 'sync', '--state', 'hé']);
  assert.equal(run, {
    command: 'run', manifest: 'm.toml', events: 'e.jsonl', chainFormat: 'jsonl', instances: 20_000, json: true, maxLive: 7, mode: 'sync',
    state: new TextEncoder().encode('hé'), clock: 'real', startWallNs: null, replay: null, shards: null, shardIndex: null, shardCount: null, ipc: false, coarseTimer: false, replayAnyComponent: false, durable: null,
  });
  assert.equal(parseArgs(['run', 'm.toml', '--chain-format', 'theater']), { ...parseArgs(['run', 'm.toml']), chainFormat: 'theater' });
  assert.equal(parseArgs(['run', 'm.toml', '--chain-format=jsonl']), parseArgs(['run', 'm.toml']));
  const virtual = parseArgs(['run', 'm.toml', '--clock=virtual', '--start-time', '1970-01-01T00:00:01.000000002Z']);
  assert.equal(virtual, { ...parseArgs(['run', 'm.toml']), clock: 'virtual', startWallNs: 1_000_000_002n });
  assert.equal(parseArgs(['run', 'm.toml', '--replay', 'c.jsonl']), { ...parseArgs(['run', 'm.toml']), replay: 'c.jsonl' });
  assert.equal(parseArgs(['run', 'm.toml', '--coarse-timer']), { ...parseArgs(['run', 'm.toml']), coarseTimer: true });
  assert.equal(parseArgs(['run', 'm.toml', '--state-hex', '00ff10']), { ...parseArgs(['run', 'm.toml']), state: Uint8Array.of(0, 255, 16) });
});

test('run: --shards, and a slice by --shard-index or $JOB_COMPLETION_INDEX', () => {
  const base = parseArgs(['run', 'm.toml']);
  assert.equal(parseArgs(['run', 'm.toml', '--shards', '4']), { ...base, shards: 4 });
  assert.equal(parseArgs(['run', 'm.toml', '--instances', '9', '--shard-index', '2', '--shard-count=3']), { ...base, instances: 9, shardIndex: 2, shardCount: 3 });
  assert.equal(parseArgs(['run', 'm.toml', '--instances', '9', '--shard-count', '3'], { JOB_COMPLETION_INDEX: '1' }), { ...base, instances: 9, shardIndex: 1, shardCount: 3 });
  // An explicit --shard-index wins over the Job's variable.
  assert.equal(parseArgs(['run', 'm.toml', '--instances', '9', '--shard-count', '3', '--shard-index', '0'], { JOB_COMPLETION_INDEX: '1' }), { ...base, instances: 9, shardIndex: 0, shardCount: 3 });
  assert.equal(parseArgs(['run', 'm.toml', '--instances', '2', '--shard-index', '1', '--shard-count', '2', '--shard-ipc']), { ...base, instances: 2, shardIndex: 1, shardCount: 2, ipc: true });
});

test('merge: result files, --events and --json', () => {
  assert.equal(parseArgs(['merge', 'a.json', '--events', 'all.jsonl', 'b.json', '--json']), { command: 'merge', results: ['a.json', 'b.json'], events: 'all.jsonl', json: true });
  assert.equal(parseArgs(['merge', '--events=x.jsonl', 'a.json']), { command: 'merge', results: ['a.json'], events: 'x.jsonl', json: false });
});

test('verify, help and version', () => {
  assert.equal(parseArgs(['verify', 'e.jsonl']), { command: 'verify', file: 'e.jsonl' });
  for (const flag of ['--help', '-h', 'help']) assert.equal(parseArgs([flag]), { command: 'help', topic: null });
  for (const topic of TOPICS) {
    assert.equal(parseArgs(['help', topic]), { command: 'help', topic });
    for (const flag of ['--help', '-h']) assert.equal(parseArgs([topic, flag]), { command: 'help', topic }, `${topic} ${flag}`);
  }
  for (const flag of ['--version', '-v']) assert.equal(parseArgs([flag]), { command: 'version' });
});

const rejects = (argv: string[], message: RegExp): void => {
  assert.throws(() => parseArgs(argv), (error: unknown) => error instanceof UsageError && message.test(error.message), argv.join(' '));
};

test('bad invocations name the option and echo the value', () => {
  rejects([], /^missing command$/);
  rejects(['launch'], /^unknown command "launch"$/);
  rejects(['run'], /^run: missing <manifest.toml>$/);
  rejects(['run', 'm.toml', '--shards', '0'], /^--shards: expected a positive integer, got "0"$/);
  rejects(['run', 'm.toml', '--shard-index', '-1'], /^unknown option "-1"$|^--shard-index: expected a non-negative integer, got "-1"$/);
  rejects(['run', 'm.toml', '--shard-index', 'x'], /^--shard-index: expected a non-negative integer, got "x"$/);
  rejects(['run', 'm.toml', '--shard-index', '0'], /^--shard-index: needs --shard-count$/);
  rejects(['run', 'm.toml', '--shard-count', '2', '--instances', '4'], /^--shard-count: needs --shard-index \(or \$JOB_COMPLETION_INDEX\)$/);
  rejects(['run', 'm.toml', '--shard-count', '2', '--instances', '4', '--shard-index', '2'], /^--shard-index: expected 0..1 for --shard-count 2, got 2$/);
  rejects(['run', 'm.toml', '--shard-count', '5', '--instances', '4', '--shard-index', '0'], /^--shard-count: 5 slices for 4 instances; at most one slice per instance$/);
  rejects(['run', 'm.toml', '--shard-count', '2', '--instances', '4', '--shard-index', '0', '--shards', '2'], /^--shards: cannot be combined with --shard-index\/--shard-count/);
  rejects(['run', 'm.toml', '--shard-ipc'], /^--shard-ipc: internal to sharded runs/);
  assert.throws(() => parseArgs(['run', 'm.toml', '--shard-count', '2', '--instances', '4'], { JOB_COMPLETION_INDEX: 'one' }),
    (error: unknown) => error instanceof UsageError && error.message === 'JOB_COMPLETION_INDEX: expected a non-negative integer, got "one"');
  rejects(['merge'], /^merge: expected one or more <results.json> from --shard-index runs$/);
  rejects(['merge', 'a.json', '--events'], /^--events: missing value$/);
  rejects(['merge', 'a.json', '--shards', '2'], /^unknown option "--shards"$/);
  rejects(['run', 'm.toml', '--chain-format', 'json'], /^--chain-format: expected one of jsonl, theater, got "json"$/);
  rejects(['run', 'm.toml', '--chain-format'], /^--chain-format: missing value$/);
  rejects(['run', 'a.toml', 'b.toml'], /^run: expected one manifest, got 2$/);
  rejects(['run', 'm.toml', '--instances', '0'], /^--instances: expected a positive integer, got "0"$/);
  rejects(['run', 'm.toml', '--instances', '-3'], /^--instances: expected a positive integer, got "-3"$/);
  rejects(['run', 'm.toml', '--instances', '1.5'], /^--instances: expected a positive integer, got "1.5"$/);
  rejects(['run', 'm.toml', '--instances', '99999999999999999999'], /^--instances: expected a positive integer/);
  rejects(['run', 'm.toml', '--instances', '1000001'], /^--instances: at most 1000000 per run, got 1000001$/);
  assert.is((parseArgs(['run', 'm.toml', '--instances', '1000000']) as { instances: number }).instances, 1_000_000);
  rejects(['run', 'm.toml', '--max-live', 'lots'], /^--max-live: expected a positive integer, got "lots"$/);
  rejects(['run', 'm.toml', '--events'], /^--events: missing value$/);
  rejects(['run', 'm.toml', '--mode', 'fast'], /^--mode: expected one of auto, jspi, sync, got "fast"$/);
  rejects(['run', 'm.toml', '--state-hex', 'abc'], /^--state-hex: expected an even number of hex digits, got "abc"$/);
  rejects(['run', 'm.toml', '--state-hex', 'zz'], /^--state-hex: expected an even number of hex digits/);
  rejects(['run', 'm.toml', '--verbose'], /^unknown option "--verbose"$/);
  rejects(['run', 'm.toml', '--replay', 'c.jsonl', '--instances', '1'], /^--replay: replays one recorded instance; drop --instances$/);
  rejects(['run', 'm.toml', '--replay', 'c.jsonl', '--clock', 'virtual'], /^--replay: the recording serves every clock reading; drop --clock$/);
  rejects(['run', 'm.toml', '--clock', 'virtual', '--start-time', '2024-05-01T25:00:00Z'], /^--start-time: not a valid calendar date and time/);
  rejects(['run', 'm.toml', '--start-time', '2024-05-01T00:00:00Z'], /^--start-time: only with --clock virtual \(a real wall clock reads the system time\)$/);
  rejects(['verify'], /^verify: expected exactly one <events.jsonl \| chain.json>$/);
  rejects(['verify', 'a', 'b'], /^verify: expected exactly one <events.jsonl \| chain.json>$/);
  rejects(['verify', '--bogus'], /^unknown option "--bogus"$/);
  rejects(['verify', 'e.jsonl', '-x'], /^unknown option "-x"$/);
  rejects(['run', 'm.toml', '--json=yes'], /^--json: takes no value, got "yes"$/);
  rejects(['run', 'm.toml', '--instance', '3'], /^unknown option "--instance" \(did you mean --instances\?\)$/);
  rejects(['merge', 'a.json', '--jsn'], /^unknown option "--jsn" \(did you mean --json\?\)$/);
  rejects(['help', 'fly'], /^help: unknown command "fly" \(commands: run, resume, merge, verify, timeline\)$/);
  rejects(['help', 'run', 'merge'], /^help: expected one command, got "merge" after run$/);
  // The first problem on the line is the one named.
  rejects(['run', '--bogus', '--verbose', 'm.toml'], /^unknown option "--bogus"$/);
});

test('--help and -h anywhere among a command\'s flags win over every other problem; a value is never a flag', () => {
  assert.equal(parseArgs(['run', '--bogus', 'm.toml', '--help']), { command: 'help', topic: 'run' });
  assert.equal(parseArgs(['run', '--instances', 'many', '-h']), { command: 'help', topic: 'run' });
  assert.equal(parseArgs(['verify', 'a', 'b', '--help']), { command: 'help', topic: 'verify' });
  assert.equal(parseArgs(['timeline', '--zoom', '-h']), { command: 'help', topic: 'timeline' });
  assert.equal(parseArgs(['merge', '-h', '--events']), { command: 'help', topic: 'merge' });
  assert.equal((parseArgs(['run', 'm.toml', '--state', '-h']) as { state: Uint8Array }).state, new TextEncoder().encode('-h'));
  rejects(['run', '--json=1', '--events', '-h'], /^--json: takes no value, got "1"$/); // --events takes -h as its value: no help
  assert.equal((parseArgs(['timeline', 'a.jsonl', '-o', '--help']) as { output: string }).output, '--help');
});

/** Every `-x` or `--word` written anywhere in the CLI's sources and tests: the flags a parser could accept. */
function candidateFlags(): string[] {
  const files = [join(ROOT, 'src', 'cli'), join(ROOT, 'test', 'cli')].flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
  const text = files.filter((file) => file.endsWith('.ts')).map((file) => readFileSync(file, 'utf8')).join('\n');
  return [...new Set(text.match(/(?<![\w-])--?[a-z][a-z-]*/g))];
}

const OPERANDS: Record<Topic, string[]> = { run: ['m.toml'], resume: ['d'], merge: ['a.json'], verify: ['e.jsonl'], timeline: ['a.jsonl'] };

/** Whether `<topic> <flag>` gets past the parser's flag check (any other complaint means the flag is known). */
function accepts(topic: Topic, flag: string): boolean {
  try {
    parseArgs([topic, flag, '1', ...OPERANDS[topic]]);
    return true;
  } catch (error) {
    return !(error instanceof UsageError && error.message.startsWith('unknown option'));
  }
}

test('every flag a command accepts is on a line of its --help, with its value and default; the table holds no others', () => {
  const candidates = candidateFlags();
  for (const topic of TOPICS) {
    const help = commandHelp(topic).split('\n');
    const accepted = candidates.filter((flag) => accepts(topic, flag));
    assert.ok(accepted.length >= COMMANDS[topic].flags.length, `${topic}: ${accepted.join(' ')}`);
    for (const flag of accepted) {
      const spec = COMMANDS[topic].flags.find((f) => f.long === flag || f.short === flag);
      assert.ok(spec !== undefined, `${topic} accepts ${flag}, which its table does not list`);
      const line = help.find((l) => l.trimStart().startsWith(`${spec.short === undefined ? spec.long : `${spec.short}, ${spec.long}`} `));
      assert.ok(line !== undefined && line.includes(spec.help), `${topic} --help: no line for ${flag}`);
      if (spec.value !== undefined) assert.ok(line.includes(`${spec.long} ${spec.value}`) && line.includes(`[default: ${spec.default}]`), line);
    }
    // And the other way round: every flag in the table parses.
    for (const spec of COMMANDS[topic].flags) assert.ok(accepts(topic, spec.long), `${topic} rejects ${spec.long}`);
  }
  for (const spec of TOP_FLAGS) {
    assert.ok(overview().includes(`${spec.short}, ${spec.long}`));
    assert.not.throws(() => parseArgs([spec.long]));
    assert.not.throws(() => parseArgs([spec.short]));
  }
  for (const topic of TOPICS) assert.match(overview(), new RegExp(`\n  ${topic} +${COMMANDS[topic].summary.replace(/[()]/g, '\\$&')}\n`));
});

test('seeLine points at the command\'s --help, else the overview', () => {
  assert.is(seeLine('run'), 'see: theater-timing run --help');
  assert.is(seeLine('timeline'), 'see: theater-timing timeline --help');
  assert.is(seeLine('fly'), 'see: theater-timing --help');
  assert.is(seeLine(undefined), 'see: theater-timing --help');
});

test.run();
