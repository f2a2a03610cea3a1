// `theater-timing timeline` in-process: default and explicit output, stdout,
// and exit 2 naming the file, line or field for unreadable or bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args.ts';
import { runCli } from '../../src/cli/cli.ts';
import { defaultTimelinePath } from '../../src/cli/timeline.ts';
import { buildChain, formatChainJsonl } from '../../src/events/chain.ts';
import { ROOT, tempDir } from './support.ts';

interface Run { code: number; stdout: string; stderr: string }

async function cli(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false });
  return { code, stdout, stderr };
}

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));
const chain = join(dir, 'a.events.jsonl');
writeFileSync(chain, formatChainJsonl(buildChain([
  { type: 'MonotonicClockNow', instant: 10n },
  { type: 'SubscribeDuration', duration: 5n, pollable: 0, deadline: 15n },
])));

test('parse: chains, -o, --output=, and bad invocations', () => {
  assert.equal(parseArgs(['timeline', 'a.jsonl']), { command: 'timeline', chains: ['a.jsonl'], output: null });
  assert.equal(parseArgs(['timeline', 'a.jsonl', 'b.json', '-o', 'x.html']), { command: 'timeline', chains: ['a.jsonl', 'b.json'], output: 'x.html' });
  assert.equal(parseArgs(['timeline', '--output=-', 'a.jsonl']), { command: 'timeline', chains: ['a.jsonl'], output: '-' });
  const rejects = (argv: string[], message: RegExp): void => {
    assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message), argv.join(' '));
  };
  rejects(['timeline'], /^timeline: missing <chain>$/);
  rejects(['timeline', 'a.jsonl', '-o'], /^-o: missing value$/);
  rejects(['timeline', 'a.jsonl', '--output='], /^-o: expected a file name, got ""$/);
  rejects(['timeline', 'a.jsonl', '--zoom'], /^unknown option "--zoom"$/);
});

test('writes the page beside the chain by default and prints its path', async () => {
  assert.is(defaultTimelinePath('/x/a.events.jsonl'), '/x/a.events.timeline.html');
  assert.is(defaultTimelinePath('chain.json'), 'chain.timeline.html');
  assert.is(defaultTimelinePath('log.txt'), 'log.txt.timeline.html');
  const r = await cli(['timeline', chain]);
  assert.is(r.code, 0, r.stderr);
  const out = join(dir, 'a.events.timeline.html');
  assert.is(r.stdout, `${out}\n`);
  assert.is(r.stderr, `theater-timing: wrote the timeline of 1 actor, 2 events, 1 lane to ${out}\n`);
  assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
});

test('-o picks the file; -o - writes the page to stdout; several chains make one page', async () => {
  const out = join(dir, 'page.html');
  const r = await cli(['timeline', chain, chain, '-o', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /of 2 actors, 4 events, 2 lanes/);
  const fleet = join(dir, 'f.jsonl');
  writeFileSync(fleet, formatChainJsonl(buildChain([{ type: 'MonotonicClockNow', instant: 1n }]), { instance: 7 }));
  const both = await cli(['timeline', chain, fleet, '-o', '-']);
  assert.match(both.stdout, />a\.events\.jsonl<\/text>/);
  assert.match(both.stdout, />f\.jsonl #7<\/text>/);
  assert.ok(existsSync(out));
  const s = await cli(['timeline', chain, '-o', '-']);
  assert.is(s.code, 0);
  assert.match(s.stdout, /^<!doctype html>[\s\S]*<\/html>\n$/);
  assert.is(s.stderr, '');
});

test('exit 2: unreadable chain, bad content (file, line, field), unwritable output', async () => {
  const missing = await cli(['timeline', join(dir, 'nope.jsonl')]);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /nope\.jsonl: cannot read \(ENOENT\)/);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"seq":0,"event":{"type":"MonotonicClockNow","instant":5}}\n');
  const r = await cli(['timeline', bad]);
  assert.is(r.code, 2);
  assert.is(r.stderr, 'theater-timing: bad.jsonl: line 1: event.instant: expected a u64 as a decimal string, got 5 (number)\n');
  const w = await cli(['timeline', chain, '-o', join(dir, 'no-such-dir', 'x.html')]);
  assert.is(w.code, 2);
  assert.match(w.stderr, /^theater-timing: -o: cannot write .*x\.html \(ENOENT\)\n$/);
});


test("a chain recorded in Theater's format draws the same pollables as ours", async () => {
  const manifest = join(ROOT, 'test-actors', 'wasi-clocks-test', 'manifest.toml');
  const ours = join(dir, 'seed.events.jsonl');
  const theirs = join(dir, 'seed.chain.json');
  assert.is((await cli(['run', manifest, '--events', ours])).code, 0);
  const recorded = await cli(['run', manifest, '--events', theirs, '--chain-format', 'theater']);
  assert.is(recorded.code, 0, recorded.stderr);
  const pages = [ours, theirs].map((file) => ({ file, out: `${file}.html` }));
  for (const { file, out } of pages) assert.is((await cli(['timeline', file, '-o', out])).code, 0);
  const bars = (out: string): number => readFileSync(out, 'utf8').match(/<g class="bar hit"/g)?.length ?? 0;
  const subscribes = readFileSync(ours, 'utf8').match(/"type":"Subscribe(Duration|Instant)"/g)?.length ?? 0;
  assert.ok(subscribes >= 9);
  assert.is(bars(pages[0].out), subscribes);
  assert.is(bars(pages[1].out), subscribes);
  assert.match(readFileSync(pages[1].out, 'utf8'), /Theater&#39;s chain\.json · outcomes: <span class="status-ok">ok 1<\/span>/);
});

test('a replay that diverged: the page marks where, with the message, from the chain --replay wrote', async () => {
  const recording = join(dir, 'sleeper.events.jsonl');
  const replayed = join(dir, 'replayed.events.jsonl');
  assert.is((await cli(['run', join(ROOT, 'test-actors', 'sleeper', 'manifest.toml'), '--state-hex', '40420f0000000000', '--events', recording])).code, 0);
  const replay = await cli(['run', join(ROOT, 'test-actors', 'wasi-clocks-test', 'manifest.toml'), '--replay', recording, '--replay-any-component', '--events', replayed]);
  assert.is(replay.code, 4, replay.stderr);
  const page = await cli(['timeline', replayed, '-o', '-']);
  assert.is(page.code, 0, page.stderr);
  assert.match(page.stdout, /class="summary status-diverged">Replay diverged: replay diverged at event \d+: /);
  assert.match(page.stdout, /<g class="mark hit m-diverged" [^>]*aria-label="ChainEnd · chain index \d+, line \d+\n[^"]*outcome = diverged/);
  assert.match(page.stdout, /<g class="lane failed" role="listitem" data-outcome="diverged"/);
});

test.run();
