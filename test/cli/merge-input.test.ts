// Issue 20, merge: what `merge` accepts from a results file, through the
// binary. Chains are found only relative to the results file's folder; the
// output is never one of the inputs; counts, states, failures, shard reports
// and the component hash are checked, each refusal one line naming file and field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actorManifest, BIN, fullDisk, tempDir } from './support.ts';
import { inProcess, twice, type Outcome } from './twice.ts';

const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown> & { slice: Record<string, unknown>; outcomes: Record<string, number> };

/** A --shard-index run of 4 sleepers (1 ms) in `dir`, its chain beside its results file. */
function slice(index: number): { path: string; json: Json } {
  const r = spawnSync(process.execPath, [BIN, 'run', actorManifest('sleeper'), '--instances', '4', '--shard-index', String(index), '--shard-count', '2',
    '--json', '--state-hex', '40420f0000000000', '--events', `s${index}.jsonl`], { cwd: dir, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const path = join(dir, `r${index}.json`);
  writeFileSync(path, r.stdout);
  return { path, json: JSON.parse(r.stdout) as Json };
}

const [s0, s1] = [slice(0), slice(1)];

function write(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** merge through the binary and runCli alike (twice.ts). */
const merge = (...args: string[]): Promise<Outcome> => twice('merge', ...args);

/** Refused: exit 2, one line matching `message`, no stack trace, and nothing written to `out`. */
async function refused(args: string[], message: RegExp): Promise<void> {
  const out = join(dir, 'out.jsonl');
  const r = await merge(...args, '--events', out);
  assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.is(r.stderr.split('\n').length, 2, r.stderr);
  assert.match(r.stderr, message);
  assert.not.ok(existsSync(out), 'nothing written');
}

test('a slice names its chain by file name, with the component\'s SHA-256; results kept beside their chains merge', async () => {
  assert.is(s0.json.events, 's0.jsonl');
  assert.match(String(s0.json.componentSha256), /^[0-9a-f]{64}$/);
  assert.is(s0.json.componentSha256, s1.json.componentSha256);
  const r = await merge(s0.path, s1.path, '--events', join(dir, 'all.jsonl'), '--json');
  assert.is(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as Json).outcomes, { ok: 4, err: 0, trap: 0 });
  assert.match(readFileSync(join(dir, 'all.jsonl'), 'utf8'), /^\{"fleet":\{"instances":4\}\}\n/);
});

test('a chain path in a results file stays in that file\'s folder: absolute paths and .. are refused (no more copying /etc/passwd)', async () => {
  await refused([s0.path, write('leak.json', { ...s1.json, events: '/etc/passwd' })], /^theater-timing: .*leak\.json: events: "\/etc\/passwd": expected the chain's name relative to this results file's folder \(merge reads nothing outside it\)\n$/);
  await refused([s0.path, write('up.json', { ...s1.json, events: '../s1.jsonl' })], /up\.json: events: "\.\.\/s1\.jsonl": expected the chain's name relative/);
  await refused([s0.path, write('sneak.json', { ...s1.json, events: 'sub/../../s1.jsonl' })], /sneak\.json: events: "sub\/\.\.\/\.\.\/s1\.jsonl": expected/);
  await refused([s0.path, write('folder.json', { ...s1.json, events: '.' })], /folder\.json: events: .* is not a regular file/);
  await refused([s0.path, write('none.json', { ...s1.json, events: 'nowhere.jsonl' })], /none\.json: events: chain file nowhere\.jsonl not found in .* \(ENOENT\)/);
  // A relative path inside the folder is fine.
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'sub', 's1.jsonl'), readFileSync(join(dir, 's1.jsonl')));
  const r = await merge(s0.path, write('inside.json', { ...s1.json, events: 'sub/s1.jsonl' }), '--events', join(dir, 'inside.jsonl'));
  assert.is(r.status, 0, r.stderr);
});

test('merge --events is never one of its inputs, nor a device or FIFO', async () => {
  const chain = join(dir, 's0.jsonl');
  const before = readFileSync(chain, 'utf8');
  const over = async (target: string, line: string): Promise<void> => {
    const r = await merge(s0.path, s1.path, '--events', target);
    assert.is(r.status, 2, r.stderr);
    assert.is(r.stderr, `theater-timing: --events: ${line}\n`);
  };
  await over(chain, `${chain} is the chain of slice 0: refusing to overwrite it`);
  await over(s1.path, `${s1.path} is the results file of slice 1: refusing to overwrite it`);
  spawnSync('mkfifo', [join(dir, 'fifo')]);
  await over(join(dir, 'fifo'), `${join(dir, 'fifo')} is a FIFO, not a regular file: refusing to replace it`);
  assert.is(readFileSync(chain, 'utf8'), before);
});

test('merge checks what it merges: outcome sums, bounds, component, states, failures and shard reports', async () => {
  const with1 = (name: string, patch: Record<string, unknown>): string => write(name, { ...s1.json, ...patch });
  await refused([s0.path, with1('zero.json', { outcomes: { ok: 0, err: 0, trap: 0 } })], /zero\.json: outcomes: ok 0 \+ err 0 \+ trap 0 is not the slice's 2 instances\n$/);
  const huge = Number.MAX_SAFE_INTEGER;
  await refused([write('huge.json', { ...s0.json, slice: { ...s0.json.slice, total: huge } })], /huge\.json: total: expected a fleet size of at most 1000000 instances, got 9007199254740991\n$/);
  await refused([s0.path, with1('other.json', { componentSha256: 'f'.repeat(64) })], /other\.json: componentSha256: "f{64}" differs from "[0-9a-f]{64}" in .*r0\.json; these are not slices of one fleet\n$/);
  await refused([s0.path, with1('nohash.json', { componentSha256: undefined })], /nohash\.json: componentSha256: expected the SHA-256 of the component \(64 hex digits; written by --shard-index runs\), got nothing\n$/);
  await refused([s0.path, with1('index.json', { slice: { ...s1.json.slice, index: 2 } })], /index\.json: slice: shard index must be an integer in 0\.\.1, got 2\n$/);
  await refused([s0.path, with1('hex.json', { state: 'zz' })], /hex\.json: state: expected lowercase hex digits in pairs \(stateEncoding "hex"\), got "zz"\n$/);
  await refused([s0.path, with1('ctl.json', { state: 'a\u001bb', stateEncoding: 'utf8' })], /ctl\.json: state: text with control characters is given as hex by a run, got "a\\u001bb"\n$/);
  await refused([s0.path, with1('enc.json', { stateEncoding: 'base64' })], /enc\.json: stateEncoding: expected "utf8" or "hex", got "base64"\n$/);
  await refused([s0.path, with1('nullenc.json', { state: null })], /nullenc\.json: stateEncoding: expected null with a null state, got "hex"\n$/);
  const ok = await merge(s0.path, with1('text.json', { state: 'plain text', stateEncoding: 'utf8' }));
  assert.is(ok.status, 0, ok.stderr);
  const none = await merge(s0.path, with1('nostate.json', { state: null, stateEncoding: null }));
  assert.is(none.status, 0, none.stderr);
  const failed = { outcomes: { ok: 1, err: 1, trap: 0 } };
  await refused([s0.path, with1('fnull.json', { ...failed, failures: [null] })], /fnull\.json: failures\[0\]: expected \{instance, status, error\}, got null\n$/);
  await refused([s0.path, with1('fmany.json', { failures: [{ instance: 2, status: 'err', error: 'x' }] })], /fmany\.json: failures: 1 listed, expected at most 0 \(the first 10 of err \+ trap\)\n$/);
  await refused([s0.path, with1('fout.json', { ...failed, failures: [{ instance: 0, status: 'err', error: 'x' }] })], /fout\.json: failures\[0\]: instance: expected an instance of the slice \(2\.\.3\), got 0\n$/);
  await refused([s0.path, with1('fstat.json', { ...failed, failures: [{ instance: 3, status: 'ok', error: 'x' }] })], /fstat\.json: failures\[0\]: status: expected "err" or "trap", got "ok"\n$/);
  const good = await merge(s0.path, with1('fgood.json', { ...failed, failures: [{ instance: 3, status: 'err', error: 'x' }] }));
  assert.is(good.status, 1, good.stderr);
  assert.match(good.stderr, /^theater-timing: instance 3: init returned err: x\n$/);
  const shard = (s1.json.shards as Array<Record<string, unknown>>)[0];
  await refused([s0.path, with1('snull.json', { shards: [null] })], /snull\.json: shards\[0\]: expected a shard report \{index, first, instances, …\}, got null\n$/);
  await refused([s0.path, with1('sempty.json', { shards: [] })], /sempty\.json: shards: expected an array of 1\.\.256 shard reports, got \[\]\n$/);
  await refused([s0.path, with1('sfirst.json', { shards: [{ ...shard, first: 0 }] })], /sfirst\.json: shards\[0\]: first: expected an instance of the slice \(from 2\), got 0\n$/);
  await refused([s0.path, with1('swide.json', { shards: [{ ...shard, instances: 3 }] })], /swide\.json: shards\[0\]: instances: expected a count within the slice \(to 3\), got 3\n$/);
  await refused([s0.path, with1('sshort.json', { shards: [{ ...shard, instances: 1 }] })], /sshort\.json: shards: they hold 1 instances, the slice 2\n$/);
  await refused([s0.path, with1('sstat.json', { shards: [{ ...shard, status: 'fine' }] })], /sstat\.json: shards\[0\]: status: expected "ok", "died" or "stalled", got "fine"\n$/);
  await refused([s0.path, with1('ms.json', { runMs: -1 })], /ms\.json: runMs: expected milliseconds, got -1\n$/);
  await refused([s0.path, with1('ev.json', { events: '' })], /ev\.json: events: expected a chain file name or null, got ""\n$/);
});

test('a slice\'s state is checked in linear time and bounded: 8 MiB as hex merges (the old pattern overflowed the regexp stack), over 64 MiB is refused', async () => {
  const with1 = (name: string, patch: Record<string, unknown>): string => write(name, { ...s1.json, ...patch });
  const big = await merge(s0.path, with1('bighex.json', { state: '00'.repeat(8 << 20), stateEncoding: 'hex' }));
  assert.is(big.status, 0, big.stderr);
  await refused([s0.path, with1('hugetext.json', { state: 'a'.repeat(64 * 2 ** 20 + 1), stateEncoding: 'utf8' })],
    /hugetext\.json: state: a run returns at most 67108864 bytes \(64 MiB\), got 67108865\n$/);
});

test('many missing slices are listed up to ten, on one line', async () => {
  const lone = { ...s0.json, instances: 1, outcomes: { ok: 1, err: 0, trap: 0 }, slice: { index: 0, count: 20, first: 0, total: 20 },
    shards: [{ ...(s0.json.shards as Array<Record<string, unknown>>)[0], instances: 1 }] };
  const r = await merge(write('lone.json', lone));
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr, 'theater-timing: merge: slices 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … of 20 are missing\n');
});


test('a chain that is not a fleet file, or a disk that is full, fails the merge in one line; the target stays as it was', async () => {
  writeFileSync(join(dir, 'garbage.jsonl'), 'not a chain line\n');
  await refused([s0.path, write('garbage.json', { ...s1.json, events: 'garbage.jsonl' })], /^theater-timing: .*garbage\.jsonl:1: a line without "instance": not a fleet file\n$/);
  const out = join(dir, 'full.jsonl');
  writeFileSync(out, 'before');
  const full = await inProcess(['merge', s0.path, s1.path, '--events', out], fullDisk);
  assert.is(full.status, 2, full.stderr);
  assert.match(full.stderr, /^theater-timing: cannot write .*full\.jsonl \(ENOSPC: no space left on device\)\n$/);
  assert.is(readFileSync(out, 'utf8'), 'before');
});

test('a fleet of one merges to its one untagged chain', async () => {
  const r = spawnSync(process.execPath, [BIN, 'run', actorManifest('wasi-clocks-v020'), '--shard-index', '0', '--shard-count', '1', '--json', '--events', 'one.jsonl'], { cwd: dir, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const merged = await merge(write('one.json', r.stdout), '--events', join(dir, 'one-merged.jsonl'));
  assert.is(merged.status, 0, merged.stderr);
  assert.is(readFileSync(join(dir, 'one-merged.jsonl'), 'utf8'), readFileSync(join(dir, 'one.jsonl'), 'utf8'));
});

test.run();
