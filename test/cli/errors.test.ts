// Issue 20, error paths: one line, never a stack trace, never raw bytes, on
// every command; --json escapes what JSON.stringify leaves raw. Through the binary.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actorManifest, bin, manifestFor, tempDir, writeManifest } from './support.ts';
import { twice } from './twice.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Characters a terminal or an editor acts on that JSON.stringify leaves raw: DEL, C1 (U+009B is CSI), bidi. */
const RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const NO_STACK = /\n\s+at |RangeError|TypeError|node:internal/;

function oneLine(r: { status: number | null; stderr: string }, status: number, message: RegExp): void {
  assert.is(r.status, status, r.stderr);
  assert.is(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.not.match(r.stderr, NO_STACK);
  assert.not.match(r.stderr, /[\u0000-\u0009\u000b-\u001f]/);
}

const deepArray = `${'['.repeat(5000)}0${']'.repeat(5000)}`;

test('timeline: an event nested 5 000 deep, in our format or Theater\'s, is drawn or refused in one line', async () => {
  const ours = join(dir, 'ours.jsonl');
  assert.is(bin('run', actorManifest('wasi-clocks-v020'), '--events', ours).status, 0);
  const lines = readFileSync(ours, 'utf8').trimEnd().split('\n');
  lines[1] = lines[1].replace(/\}\}$/, `,"deep":${deepArray},"obj":{"a":null}}}`);
  writeFileSync(join(dir, 'deep.jsonl'), `${lines.join('\n')}\n`);
  const drawn = await twice('timeline', join(dir, 'deep.jsonl'), '-o', join(dir, 'deep.html'));
  assert.is(drawn.status, 0, drawn.stderr);
  assert.not.match(drawn.stderr, NO_STACK);

  const theater = join(dir, 'theater.json');
  assert.is(bin('run', actorManifest('wasi-clocks-v020'), '--events', theater, '--chain-format', 'theater').status, 0);
  const events = JSON.parse(readFileSync(theater, 'utf8')) as Array<{ data: number[] }>;
  const tagged = `${'{"List":['.repeat(5000)}1${']}'.repeat(5000)}`;
  const host = Buffer.from(events[1].data).toString('utf8').replace(/"input":\{"Tuple":\[\]\}/, `"input":${tagged}`);
  events[1].data = [...Buffer.from(host)];
  writeFileSync(join(dir, 'tagged.json'), JSON.stringify(events));
  const tag = await twice('timeline', join(dir, 'tagged.json'), '-o', join(dir, 'tagged.html'));
  assert.is(tag.status, 0, tag.stderr);
  assert.match(readFileSync(join(dir, 'tagged.html'), 'utf8'), /\[…\]/);
  const data = readFileSync(theater, 'utf8').replace(/"data":\[[0-9,]*\]/, `"data":${deepArray}`);
  writeFileSync(join(dir, 'data.json'), data);
  oneLine(await twice('timeline', join(dir, 'data.json'), '-o', join(dir, 'data.html')), 2, /^theater-timing: data\.json: event 0: data: expected an array of bytes, got \[…\] \(array\)\n$/);
});

test('timeline: a fleet file of 150 000 instances is drawn (no spread of its chains onto the stack)', async () => {
  const n = 150_000;
  const parts = [`{"fleet":{"instances":${n}}}\n`];
  for (let i = 0; i < n; i++) parts.push(`{"seq":0,"instance":${i},"event":{"type":"ChainEnd","events":0,"outcome":"ok","message":""}}\n`);
  writeFileSync(join(dir, 'fleet.jsonl'), parts.join(''));
  const r = await twice('timeline', join(dir, 'fleet.jsonl'), '-o', join(dir, 'fleet.html'));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^theater-timing: wrote the timeline of 150000 actors, 150000 events, 50 lanes to /);
});

test('--shards is bounded: 257 is refused with the maximum, no stack trace', async () => {
  const r = await twice('run', actorManifest('sleeper'), '--shards', '257');
  assert.is(r.status, 2);
  assert.match(r.stderr, /^theater-timing: --shards: at most 256 processes, got 257\n/);
  assert.not.match(r.stderr, NO_STACK);
});

test('timeline and merge escape the input bytes a JSON error quotes (\\e[2J would clear the screen)', async () => {
  const clear = '\u001b[2J\u009b2J\u202e';
  writeFileSync(join(dir, 'bad.jsonl'), `{"a":${clear}}\n`);
  oneLine(await twice('timeline', join(dir, 'bad.jsonl'), '-o', '-'), 2, /^theater-timing: bad\.jsonl: line 1: JSON: .*\\e\[2J/);
  writeFileSync(join(dir, 'bad.json'), `[{"a":${clear}}]`);
  oneLine(await twice('timeline', join(dir, 'bad.json'), '-o', '-'), 2, /^theater-timing: bad\.json: event 0: invalid JSON: .*\\e\[2J/);
  writeFileSync(join(dir, 'results.json'), `{"a":${clear}}`);
  oneLine(await twice('merge', join(dir, 'results.json')), 2, /^theater-timing: .*results\.json: not JSON \(.*\\e\[2J/);
  const named = `evil${clear}`;
  writeFileSync(join(dir, 'named.json'), JSON.stringify({ slice: { index: 0, count: 1, first: 0, total: 1 }, name: named }));
  oneLine(await twice('merge', join(dir, 'named.json')), 2, /^theater-timing: .*named\.json: instances: expected an instance count, got nothing\n$/);
});

test('--json escapes DEL, C1 controls and bidi characters as \\u escapes (one process, a slice, merge)', async () => {
  const weird = '\u007f\u009b2J\u202e\u2066';
  const events = join(dir, `chain${weird}.jsonl`);
  const single = bin('run', actorManifest('wasi-clocks-v020'), '--json', '--events', events);
  assert.is(single.status, 0, single.stderr);
  assert.not.match(single.stdout, RAW);
  assert.ok(single.stdout.includes('chain\\u007f\\u009b2J\\u202e\\u2066.jsonl'), single.stdout);
  assert.is((JSON.parse(single.stdout) as { events: string }).events, events);
  assert.not.match(single.stderr, RAW);

  const manifest = writeManifest(dir, 'weird.toml', manifestFor('wasi-clocks-v020').replace('name = "wasi-clocks-v020"', 'name = "w\\u007f\\u009b\\u202e"'));
  const slice = bin('run', manifest, '--instances', '2', '--shard-index', '0', '--shard-count', '1', '--json');
  assert.is(slice.status, 0, slice.stderr);
  assert.not.match(slice.stdout, RAW);
  assert.ok(slice.stdout.includes('"name":"w\\u007f\\u009b\\u202e"'), slice.stdout);
  writeFileSync(join(dir, 'weird.json'), slice.stdout);
  const merged = await twice('merge', join(dir, 'weird.json'), '--json');
  assert.is(merged.status, 0, merged.stderr);
  assert.not.match(merged.stdout, RAW);
  const text = await twice('merge', join(dir, 'weird.json'));
  assert.match(text.stdout, /^w\\x7f\\x9b\\u\{202e\}: 2 instances: 2 ok/);
});

test.run();
