// Sharded runs through runCli in-process (the parent here, the shards real
// child processes of src/cli/main.ts), --shard-index slices as separate
// processes merged with `merge`, each compared with a single-process run of
// the same manifest; a shard killed or stopped mid-run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { lostReason } from '../../src/cli/shard-merge.ts';
import { rfc3339, type Shard } from '../../src/cli/shard-parent.ts';
import { parseChainJsonl } from '../../src/events/chain.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { actorManifest, fullDisk, manifestFor, ROOT, tempDir, writeManifest } from './support.ts';

interface Run { code: number; stdout: string; stderr: string }
const ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
const dir = tempDir();
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], isTTY = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY, entry: ENTRY });
  return { code, stdout, stderr };
}

type Json = Record<string, unknown> & { outcomes: Record<string, number>; shards: Array<Record<string, unknown>>; failures: Array<Record<string, unknown>> };
const json = (r: Run): Json => JSON.parse(r.stdout) as Json;

/**
 * Per instance, in file order, the event types its chain holds: what two runs
 * of one manifest share (times differ, and so does how often a guest polls).
 */
function shape(path: string): Map<number, string> {
  const text = readFileSync(path, 'utf8');
  assert.ok(verifyChain(text).ok, `${path} verifies`);
  const chains = new Map<number, Set<string>>();
  for (const line of parseChainJsonl(text)) {
    const types = chains.get(line.instance ?? -1) ?? new Set<string>();
    types.add(line.event.type);
    chains.set(line.instance ?? -1, types);
  }
  return new Map([...chains].map(([i, types]) => [i, [...types].sort().join(' ')]));
}

const SAME = ['ok', 'instances', 'state', 'stateEncoding', 'error', 'outcomes', 'mode', 'maxLive', 'peakLive', 'failures'];
/** Chain lines in a fleet file (its header line not counted). */
const lineCount = (path: string): number => readFileSync(path, 'utf8').trim().split('\n').length - 1;

/** This process's children running a shard, by --shard-index. */
function shardPids(): Map<number, number> {
  const out = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout;
  const pids = new Map<number, number>();
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s.*--shard-index (\d+) /.exec(line);
    if (m !== null) pids.set(Number(m[2]), Number(m[1]));
  }
  return pids;
}

async function whenShardRuns(index: number): Promise<number> {
  for (let i = 0; i < 600; i++) {
    const pid = shardPids().get(index);
    if (pid !== undefined) return pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`shard ${index} never started`);
}

test('--shards 2 gives the single run\'s result and chain: outcomes, state, one fleet file in instance order', async () => {
  const manifest = actorManifest('wasi-clocks-test');
  const single = await cli(['run', manifest, '--instances', '6', '--json', '--events', join(dir, 'single.jsonl')]);
  const sharded = await cli(['run', manifest, '--instances', '6', '--json', '--shards', '2', '--events', join(dir, 'sharded.jsonl')]);
  assert.is(single.code, 0, single.stderr);
  assert.is(sharded.code, 0, sharded.stderr);
  const [a, b] = [json(single), json(sharded)];
  for (const key of SAME) assert.equal(b[key], a[key], key);
  assert.is(b.eventLines, lineCount(join(dir, 'sharded.jsonl')));
  assert.is(a.shards.length, 1);
  assert.equal(b.shards.map((s) => [s.index, s.first, s.instances, s.peakLive, s.status]), [[0, 0, 3, 3, 'ok'], [1, 3, 3, 3, 'ok']]);
  assert.ok((b.spawnMs as number) >= (b.prepareMs as number) && (b.runMs as number) > 0);
  assert.equal(shape(join(dir, 'sharded.jsonl')), shape(join(dir, 'single.jsonl')));
  assert.equal([...shape(join(dir, 'sharded.jsonl')).keys()], [0, 1, 2, 3, 4, 5]);
  assert.match(sharded.stderr, new RegExp(`wrote ${String(b.eventLines)} events \\(6 chains\\)`));
});

test('--chain-format theater over shards: each shard writes its instances\' chain.json files in place, numbered fleet-wide', async () => {
  const r = await cli(['run', actorManifest('wasi-clocks-test'), '--instances', '4', '--shards', '2', '--chain-format', 'theater', '--events', join(dir, 'c.json')]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /wrote \d+ events \(4 Theater chains\) to .*c\.0\.json … .*c\.3\.json\n$/);
  for (const i of [0, 1, 2, 3]) {
    const v = await cli(['verify', join(dir, `c.${i}.json`)]);
    assert.is(v.code, 0, v.stderr);
  }
});

test('sharded failures name the instance, in instance order, with exit codes as one process', async () => {
  const r = await cli(['run', actorManifest('sleeper'), '--instances', '4', '--shards', '2', '--state', 'abc']);
  assert.is(r.code, 1);
  assert.is(r.stdout, 'sleeper: 4 instances: 0 ok, 4 err, 0 trapped; '
    + r.stdout.slice(r.stdout.indexOf('spawn ')));
  assert.match(r.stdout, /peak live 4 \(cap \d+ per process\) over 2 shards\n$/);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines, [0, 1, 2, 3].map((i) => `theater-timing: instance ${i}: init returned err: sleeper: state must be 8 bytes, a u64 LE duration in ns`));
  const coarse = await cli(['run', actorManifest('sleeper'), '--instances', '4', '--shards', '2', '--json', '--coarse-timer', '--state-hex', '40420f0000000000']);
  assert.is(coarse.code, 0, coarse.stderr);
  assert.equal(json(coarse).outcomes, { ok: 4, err: 0, trap: 0 }, '--coarse-timer reaches the shards and they run');
  const trap = await cli(['run', actorManifest('poll-empty'), '--instances', '12', '--shards', '3', '--json']);
  assert.is(trap.code, 3);
  assert.equal(json(trap).outcomes, { ok: 0, err: 0, trap: 12 });
  assert.match(trap.stderr, /instance 9: trapped: wasi trap: poll: attempt to poll on an empty list\ntheater-timing: … and 2 more failed instances\n$/);
});

test('a component the shards cannot use exits 2 with its message, once', async () => {
  const manifest = writeManifest(dir, 'unserved.toml', manifestFor('wasi-clocks-test', '', ''));
  const r = await cli(['run', manifest, '--instances', '4', '--shards', '2']);
  assert.is(r.code, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /component: .*wasi:clocks/);
});

test('--shard-index slices as separate processes, merged, equal a single run', async () => {
  const manifest = actorManifest('wasi-clocks-test');
  const single = await cli(['run', manifest, '--instances', '7', '--json', '--events', join(dir, 'one.jsonl')]);
  const results: string[] = [];
  for (const index of [2, 0, 1]) {
    const env = { ...process.env, JOB_COMPLETION_INDEX: String(index) };
    const slice = spawnSync(process.execPath, [ENTRY, 'run', manifest, '--instances', '7', '--shard-count', '3', '--json', '--events', `slice-${index}.jsonl`], { cwd: dir, env, encoding: 'utf8' });
    assert.is(slice.status, 0, slice.stderr);
    const path = join(dir, `slice-${index}.json`);
    writeFileSync(path, slice.stdout);
    results.push(path);
    assert.equal((JSON.parse(slice.stdout) as Json).slice, { index, count: 3, first: [0, 2, 4][index], total: 7 });
  }
  const merged = await cli(['merge', ...results, '--events', join(dir, 'merged.jsonl'), '--json']);
  assert.is(merged.code, 0, merged.stderr);
  const [a, b] = [json(single), json(merged)];
  for (const key of SAME) assert.equal(b[key], a[key], key);
  assert.is(b.eventLines, lineCount(join(dir, 'merged.jsonl')));
  assert.is(b.slice, undefined);
  assert.is(b.shards.length, 3);
  assert.equal(shape(join(dir, 'merged.jsonl')), shape(join(dir, 'one.jsonl')));
  const text = await cli(['merge', ...results]);
  assert.match(text.stdout, /^wasi-clocks-test: 7 instances: 7 ok, 0 err, 0 trapped; .* over 3 shards\n$/);
});

test('merge refuses what is not one fleet\'s slices, naming the file and field', async () => {
  const write = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  const manifest = actorManifest('sleeper');
  const slice = (index: number, extra: string[] = []): Json => {
    const r = spawnSync(process.execPath, [ENTRY, 'run', manifest, '--instances', '4', '--shard-index', String(index), '--shard-count', '2', '--json', '--state-hex', '40420f0000000000', ...extra], { cwd: dir, encoding: 'utf8' });
    return JSON.parse(r.stdout) as Json;
  };
  const [s0, s1] = [slice(0), slice(1)];
  const p0 = write('m0.json', s0);
  const p1 = write('m1.json', s1);
  const expect = async (argv: string[], message: RegExp): Promise<void> => {
    const r = await cli(['merge', ...argv]);
    assert.is(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  };
  await expect([p0], /^theater-timing: merge: slices 1 of 2 are missing\n$/);
  await expect([p0, p0, p1], /m0\.json: slice 0 is also given as .*m0\.json/);
  await expect([p0, write('other.json', { ...s1, name: 'other' })], /other\.json: name: "other" differs from "sleeper" in .*m0\.json; these are not slices of one fleet/);
  await expect([p0, write('shifted.json', { ...s1, slice: { ...(s1.slice as object), first: 1 } })], /shifted\.json: slice 1 of 2 should hold instances 2..3, holds 1..2/);
  await expect([p0, write('count.json', { ...s1, slice: { ...(s1.slice as object), count: 9 } })], /count\.json: slice: shard count 9 is more than the 4 instances/);
  await expect([p0, write('garbled.json', '{')], /garbled\.json: not JSON/);
  await expect([p0, join(dir, 'absent.json')], /absent\.json: cannot read \(ENOENT\)/);
  await expect([p0, write('array.json', [])], /array\.json: expected the --json object of a --shard-index run/);
  await expect([p0, write('noslice.json', { ...s1, slice: undefined })], /noslice\.json: slice: expected the \{index, count, first, total\} of a --shard-index run, got nothing/);
  await expect([p0, write('mode.json', { ...s1, mode: 'fast' })], /mode\.json: mode: expected "jspi" or "sync", got "fast"/);
  await expect([p0, p1, '--events', join(dir, 'x.jsonl')], /m0\.json: events: this slice was run without --events/);
  await expect([p0, write('lost.json', { ...s1, events: 'nowhere.jsonl' }), '--events', join(dir, 'x.jsonl')], /events: this slice was run without --events|lost\.json: events: chain file nowhere\.jsonl not found/);
  const ok = await cli(['merge', p1, p0, '--json']);
  assert.is(ok.code, 0, ok.stderr);
  assert.equal(json(ok).outcomes, { ok: 4, err: 0, trap: 0 });
  assert.is(json(ok).state, s0.state);
});

test('a shard killed mid-run: its unsettled instances trap with the reason, the other shard finishes, the chain holds the rest', async () => {
  const running = cli(['run', actorManifest('sleeper'), '--instances', '40', '--shards', '2', '--json', '--state-hex', '00a3e11100000000', '--events', join(dir, 'killed.jsonl')]); // 300 ms
  const pid = await whenShardRuns(1);
  process.kill(pid, 'SIGKILL');
  const r = await running;
  assert.is(r.code, 3, r.stderr);
  const out = json(r);
  assert.equal(out.outcomes, { ok: 20, err: 0, trap: 20 });
  assert.equal(out.shards.map((s) => s.status), ['ok', 'died']);
  assert.is(out.peakLive, 20);
  assert.match(r.stderr, /theater-timing: instance 20: trapped: host process of this instance was killed by SIGKILL before init settled\n/);
  assert.match(r.stderr, /… and 10 more failed instances/);
  // Every instance has its chain: the lost shard's end in a lone ChainEnd that says why.
  assert.equal([...shape(join(dir, 'killed.jsonl')).keys()], Array.from({ length: 40 }, (_, i) => i));
  const lost = parseChainJsonl(readFileSync(join(dir, 'killed.jsonl'), 'utf8')).filter((l) => l.instance === 20);
  assert.is(lost.length, 1);
  assert.equal(lost[0].event, { type: 'ChainEnd', events: 0, outcome: 'trap', message: 'host process of this instance was killed by SIGKILL before init settled' });
  assert.match(r.stderr, /wrote \d+ events \(40 chains\)/);
});

test('a shard that stops answering is killed after the heartbeat timeout; the run ends', async () => {
  process.env.THEATER_TIMING_SHARD_TIMEOUT_MS = '2000';
  try {
    const running = cli(['run', actorManifest('sleeper'), '--instances', '20', '--shards', '2', '--json', '--state-hex', '005ed0b200000000']); // 3 s
    const pid = await whenShardRuns(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    process.kill(pid, 'SIGSTOP');
    const r = await running;
    assert.is(r.code, 3, r.stderr);
    const out = json(r);
    assert.equal(out.shards.map((s) => s.status), ['stalled', 'ok']);
    assert.equal(out.outcomes, { ok: 10, err: 0, trap: 10 });
    assert.match(String(out.error), /^instance 0: trapped: host process of this instance stopped answering \(no heartbeat for (2000|30000) ms\) and was killed before init settled$/);
    assert.is(out.state, null, 'instance 0 never reported');
  } finally {
    delete process.env.THEATER_TIMING_SHARD_TIMEOUT_MS;
  }
  process.env.THEATER_TIMING_SHARD_TIMEOUT_MS = 'soon';
  try {
    const r = await cli(['run', actorManifest('sleeper'), '--instances', '2', '--shards', '2']);
    assert.is(r.code, 2);
    assert.is(r.stderr, 'theater-timing: THEATER_TIMING_SHARD_TIMEOUT_MS: expected a positive integer (ms), got "soon"\n');
  } finally {
    delete process.env.THEATER_TIMING_SHARD_TIMEOUT_MS;
  }
});

test('sharded runs: one progress display on a TTY, virtual time passed on, bad targets and manifests refused before any shard starts', async () => {
  const r = await cli(['run', actorManifest('sleeper'), '--instances', '6', '--shards', '2', '--state-hex', '40420f0000000000',
    '--clock', 'virtual', '--start-time', '2024-05-01T12:00:00.123456789Z'], true);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /sleeper: 6\/6 settled\n$/);
  assert.match(r.stdout, /^sleeper: 6 instances: 6 ok, 0 err, 0 trapped; .* over 2 shards\n$/);
  const folder = await cli(['run', actorManifest('sleeper'), '--instances', '4', '--shards', '2', '--events', dir]);
  assert.is(folder.code, 2);
  assert.match(folder.stderr, /--events: .* is a folder, not a file\n$/);
  const theater = await cli(['run', actorManifest('sleeper'), '--instances', '4', '--shards', '2', '--chain-format', 'theater']);
  assert.is(theater.code, 2);
  assert.match(theater.stderr, /--chain-format theater: no chain to write/);
  const missing = await cli(['run', join(dir, 'absent.toml'), '--instances', '4', '--shards', '2']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /absent\.toml/);
  const one = await cli(['run', actorManifest('wasi-clocks-test'), '--shard-index', '0', '--shard-count', '1']);
  assert.is(one.code, 0, one.stderr);
  assert.is(one.stdout, 'wasi-clocks-test: all checks passed\n');
});

test('rfc3339 keeps every nanosecond; a lost shard says how it ended', () => {
  assert.is(rfc3339(1_714_564_800_123_456_789n), '2024-05-01T12:00:00.123456789Z');
  assert.is(rfc3339(0n), '1970-01-01T00:00:00.000000000Z');
  const shard = (exit: Shard['exit'], stderr = '', stalled = false, heard = true): Shard => ({
    slice: { index: 0, first: 0, instances: 1 }, eventsPath: null, settled: new Uint8Array(1), settledCount: 0, ok: 0, failures: [],
    summary: null, startedAtMs: 0, lastHeardMs: 0, heard, stalled, exit, stderr, restarts: 0, extra: undefined,
  });
  assert.is(lostReason(shard({ code: 134, signal: null }, 'x\nFATAL ERROR: Allocation failed - process out of memory\n'), 1000),
    'host process of this instance exited with code 134 before init settled (FATAL ERROR: Allocation failed - process out of memory)');
  assert.is(lostReason(shard({ code: null, signal: 'SIGKILL' }, '', true, false), 1000),
    'host process of this instance stopped answering (no heartbeat for 30000 ms) and was killed before init settled');
});

test('--shard-ipc without a parent is refused', () => {
  const r = spawnSync(process.execPath, [ENTRY, 'run', actorManifest('sleeper'), '--instances', '2', '--shard-index', '0', '--shard-count', '2', '--shard-ipc'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, /--shard-ipc: this process has no IPC channel/);
});


test('sharded: a chain that cannot be written never hides the outcome (trap 3 wins over 2), and the old file stays', async () => {
  const events = join(dir, 'kept-sharded.jsonl');
  writeFileSync(events, 'a good chain\n');
    const run = async (argv: string[]): Promise<Run> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false, entry: ENTRY, chainFs: fullDisk });
    return { code, stdout, stderr };
  };
  const trap = await run(['run', actorManifest('stale-pollable'), '--instances', '2', '--shards', '2', '--events', events]);
  assert.is(trap.code, 3, trap.stderr);
  assert.match(trap.stderr, /^theater-timing: --events: cannot write .*ENOSPC.*; the chain was not written\n/);
  assert.match(trap.stderr, /theater-timing: instance 0: trapped: wasi trap: pollable used after drop\n/);
  const ok = await run(['run', actorManifest('sleeper'), '--instances', '2', '--shards', '2', '--state-hex', '40420f0000000000', '--events', events, '--json']);
  assert.is(ok.code, 2, ok.stderr);
  assert.is((JSON.parse(ok.stdout) as { events: unknown }).events, null, '--json reports no chain');
  assert.is(readFileSync(events, 'utf8'), 'a good chain\n');
});

test.run();
