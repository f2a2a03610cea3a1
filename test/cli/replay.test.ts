// --replay through the built binary: record a real run of the seed's test actor,
// replay it, check the verdict and that the replay's chain is the recording,
// hash for hash; replay against another actor; bad recordings and flags.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainLineText, hashEvent } from '../../src/events/chain.ts';
import { actorManifest, bin, tempDir } from './support.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The chain formats a run can write; each is recorded, replayed and compared, hash for hash. */
const FORMATS: ReadonlyArray<{ name: string; args: string[]; count: (text: string) => number }> = [
  { name: 'jsonl', args: [], count: (text) => text.trim().split('\n').length },
  { name: 'theater', args: ['--chain-format', 'theater'], count: (text) => (JSON.parse(text) as unknown[]).length },
];

for (const format of FORMATS) {
  test(`${format.name}: a real run of wasi-clocks-test replays faithfully, and the replay writes the same chain`, () => {
    const recorded = join(dir, `recorded.${format.name}`);
    const replayed = join(dir, `replayed.${format.name}`);
    const real = bin('run', actorManifest('wasi-clocks-test'), '--events', recorded, ...format.args);
    assert.is(real.status, 0, real.stderr);
    const r = bin('run', actorManifest('wasi-clocks-test'), '--replay', recorded, '--events', replayed, ...format.args);
    assert.is(r.status, 0, r.stderr);
    const events = format.count(readFileSync(recorded, 'utf8'));
    assert.is(r.stdout, `wasi-clocks-test: all checks passed\nreplay ok: ${events} events matched\n`);
    assert.is(readFileSync(replayed, 'utf8'), readFileSync(recorded, 'utf8'), 'hash for hash identical');
    const verified = bin('verify', replayed);
    assert.is(verified.status, 0, verified.stderr);
  });
}

test('replayed against another actor: exit 4 and one line naming the position, the recorded call and the actual one', () => {
  const recorded = join(dir, 'clocks.jsonl');
  assert.is(bin('run', actorManifest('wasi-clocks-test'), '--events', recorded).status, 0);
  // The chain names another component: refused, one line, exit 2, unless forced.
  const refused = bin('run', actorManifest('sleeper'), '--replay', recorded);
  assert.is(refused.status, 2);
  assert.match(refused.stderr, /^theater-timing: --replay: the chain was recorded from component sha256 [0-9a-f]{12}…, the manifest's .*sleeper\.wasm is [0-9a-f]{12}… \(pass --replay-any-component to replay it anyway\)\n$/);
  const r = bin('run', actorManifest('sleeper'), '--replay', recorded, '--replay-any-component');
  assert.is(r.status, 4);
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'theater-timing: replay diverged at event 5: recorded wasi:clocks/monotonic-clock@0.2.3/resolution, actor called subscribe-duration(100000000)\n');
  // With --events, the replay's own chain closes with outcome "diverged" and the same line, and verifies.
  const diverged = join(dir, 'diverged.jsonl');
  assert.is(bin('run', actorManifest('sleeper'), '--replay', recorded, '--replay-any-component', '--events', diverged).status, 4);
  const end = JSON.parse(readFileSync(diverged, 'utf8').trim().split('\n').at(-1) ?? '') as { event: { type: string; outcome: string; message: string } };
  assert.equal([end.event.type, end.event.outcome], ['ChainEnd', 'diverged']);
  assert.match(end.event.message, /^replay diverged at event 5: /);
  assert.is(bin('verify', diverged).status, 0);
  // The same guest with other inputs diverges on the input.
  const sleeper = join(dir, 'sleeper.jsonl');
  assert.is(bin('run', actorManifest('sleeper'), '--events', sleeper, '--state-hex', '40420f0000000000').status, 0);
  const other = bin('run', actorManifest('sleeper'), '--replay', sleeper);
  assert.is(other.status, 4);
  assert.is(other.stderr, 'theater-timing: replay diverged at event 5: recorded wasi:clocks/monotonic-clock@0.2.3/subscribe-duration(1000000), actor called subscribe-duration(100000000)\n');
  const json = bin('run', actorManifest('sleeper'), '--replay', sleeper, '--state-hex', '40420f0000000000', '--json');
  assert.is(json.status, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { replay: unknown }).replay, { ok: true, matched: 10 });
});

/** The first `count` lines of a chain, closed again with a ChainEnd hashed onto them: a whole, shorter chain. */
function firstLines(lines: readonly string[], count: number): string {
  const kept = lines.slice(0, count);
  const parent = (JSON.parse(kept.at(-1)!) as { hash: string }).hash;
  const event = { type: 'ChainEnd', events: count, outcome: 'ok', message: '' } as const;
  return `${[...kept, chainLineText({ seq: count, parent, hash: hashEvent(parent, event), handler: 'timing', event }).trimEnd()].join('\n')}\n`;
}

test('a guest that calls past the end of the recording diverges; so does one that stops short of it', () => {
  const recorded = join(dir, 'full.jsonl');
  assert.is(bin('run', actorManifest('wasi-clocks-test'), '--events', recorded).status, 0);
  const lines = readFileSync(recorded, 'utf8').trim().split('\n');
  const short = join(dir, 'short.jsonl');
  writeFileSync(short, firstLines(lines, 20));
  const past = bin('run', actorManifest('wasi-clocks-test'), '--replay', short);
  assert.is(past.status, 4);
  assert.match(past.stderr, /^theater-timing: replay diverged at event 20: recorded the end of the recording, actor called \S+\(.*\)\n$/);
  const extra = join(dir, 'extra.jsonl');
  // A recording with a call the guest never makes: poll-empty traps before any call.
  writeFileSync(extra, firstLines(lines, 5));
  const stopped = bin('run', actorManifest('poll-empty'), '--replay', extra, '--replay-any-component');
  assert.is(stopped.status, 4);
  assert.is(stopped.stderr, 'theater-timing: replay diverged at event 4: recorded wasi:clocks/monotonic-clock@0.2.3/now, actor trapped: wasi trap: poll: attempt to poll on an empty list\n');
  // The same 20 lines without their ChainEnd are a chain cut short, which verify refuses: so does the replay (exit 2, nothing run past it).
  const cut = join(dir, 'cut.jsonl');
  writeFileSync(cut, `${lines.slice(0, 20).join('\n')}\n`);
  assert.is(bin('verify', cut).status, 1);
  const refused = bin('run', actorManifest('wasi-clocks-test'), '--replay', cut);
  assert.is(refused.status, 2);
  assert.match(refused.stderr, /theater-timing: --replay: .*cut\.jsonl: line 21: the chain has no ChainEnd: it was cut short after 20 events\n$/);
});

test('bad recordings and --replay with --instances exit 2', () => {
  const recorded = join(dir, 'r.jsonl');
  assert.is(bin('run', actorManifest('sleeper'), '--events', recorded).status, 0);
  const text = readFileSync(recorded, 'utf8');
  const tampered = join(dir, 'tampered.jsonl');
  writeFileSync(tampered, text.replace('"instant":"', '"instant":"1'));
  const duplicated = join(dir, 'duplicated.jsonl');
  writeFileSync(duplicated, text.replace('{"seq":4,', '{"seq":4,"seq":4,'));
  const cases: Array<[string[], RegExp]> = [
    [['--replay', join(dir, 'missing.jsonl')], /^theater-timing: --replay: .*missing\.jsonl: cannot read \(ENOENT\)\n$/],
    [['--replay', tampered], /^theater-timing: --replay: .*tampered\.jsonl: line 5: hash mismatch: line says [0-9a-f]{12}, recomputed [0-9a-f]{12}\n$/],
    [['--replay', duplicated], /^theater-timing: --replay: .*duplicated\.jsonl: line 5: not the canonical serialisation of its values \(spacing, key order, escapes or a duplicate key\)\n$/],
    [['--replay', recorded, '--instances', '2'], /^theater-timing: --replay: replays one recorded instance; drop --instances\n/],
  ];
  for (const [args, message] of cases) {
    const r = bin('run', actorManifest('sleeper'), ...args);
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  const fleet = join(dir, 'fleet.jsonl');
  assert.is(bin('run', actorManifest('sleeper'), '--events', fleet, '--instances', '2').status, 0);
  const many = bin('run', actorManifest('sleeper'), '--replay', fleet);
  assert.is(many.status, 2);
  assert.match(many.stderr, /line \d+: the file holds the chains of (several|2) instances; a replay serves one/);
});

test.run();
