// Issue 21's crash test: a durable run of N sleepers (THEATER_TIMING_CRASH_N,
// default 2000; THEATER_TIMING_CRASH_WAVES waves, default 4, of --max-live N/waves,
// each sleeping THEATER_TIMING_CRASH_SLEEP_MS, default 500, so their deadlines
// spread over waves × sleep, ~2 s by default) is
// killed with SIGKILL, then `resume` finishes it. Checked for every actor: it
// finished ok, it ran once from the start (one identity, one setup), it did not
// wake before its deadline by its own clock, its clock never went backwards,
// and its chain verifies end to end across the gap; none is lost. Three kill
// points: a seeded random time, the start burst, and a wake-up burst. The seed
// is printed ($THEATER_TIMING_CRASH_SEED replays a run).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyChain } from '../../src/events/verify.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'theater-timing.js');
const MANIFEST = join(ROOT, 'test-actors', 'sleeper', 'manifest.toml');
const N = Number(process.env.THEATER_TIMING_CRASH_N ?? 2000);
/** Waves of --max-live N/WAVES, each sleeping SLEEP_MS: deadlines spread over WAVES × SLEEP_MS. */
const WAVES = Number(process.env.THEATER_TIMING_CRASH_WAVES ?? 4);
const SLEEP_MS = Number(process.env.THEATER_TIMING_CRASH_SLEEP_MS ?? 500);
const MAX_LIVE = Math.max(1, Math.ceil(N / WAVES));
const SLEEP_NS = BigInt(SLEEP_MS) * 1_000_000n;
/** A random kill time: from 200 ms to the end of the last wave's sleep. */
const SPREAD_MS = WAVES * SLEEP_MS;
const stateHex = (ns: bigint): string => Buffer.from(new BigUint64Array([ns]).buffer).toString('hex');
const seed = Number(process.env.THEATER_TIMING_CRASH_SEED ?? Date.now() % 1_000_000);
console.log(`durable crash test: N=${N} in ${WAVES} waves of ${SLEEP_MS} ms (max-live ${MAX_LIVE}), seed ${seed}`);

/** mulberry32: a small seeded generator. */
function random(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const rand = random(seed);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts the durable run, waits for `until` (ms, or a condition polled every 5 ms), kills it with SIGKILL. */
async function runAndKill(dir: string, until: number | (() => boolean)): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'run', MANIFEST, '--durable', dir, '--instances', String(N), '--max-live', String(MAX_LIVE), '--state-hex', stateHex(SLEEP_NS), '--json'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (typeof until === 'number') await sleep(until);
  else for (let i = 0; i < 4000 && !until(); i++) await sleep(5);
  child.kill('SIGKILL');
  await exited;
}

/** The processes `pid` forked (Linux). */
function childrenOf(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split(/\s+/).filter((t) => t !== '').map(Number) : [];
}

/** Whether `pid` still runs (a zombie has exited: only its exit status is left). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

interface Sharded { code: number | null; stdout: string; stderr: string; shards: number[] }

/** A durable run over 2 shards; `at` ms after its first log appears, SIGKILL to the parent or to its first shard. */
async function shardedRun(dir: string, at: number, victim: 'parent' | 'shard'): Promise<Sharded> {
  const child = spawn(process.execPath, [CLI, 'run', MANIFEST, '--durable', dir, '--instances', String(N), '--shards', '2', '--max-live', String(Math.max(1, Math.ceil(N / (2 * WAVES)))), '--state-hex', stateHex(SLEEP_NS), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (t: Buffer) => { stdout += t.toString(); });
  child.stderr.on('data', (t: Buffer) => { stderr += t.toString(); });
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  for (let i = 0; i < 4000 && logs(dir).length === 0; i++) await sleep(5);
  await sleep(at);
  let shards = childrenOf(child.pid as number);
  for (let i = 0; i < 2000 && shards.length < 2; i++, shards = childrenOf(child.pid as number)) await sleep(5);
  assert.is(shards.length, 2, 'two shard processes');
  process.kill(victim === 'parent' ? child.pid as number : Math.min(...shards), 'SIGKILL');
  return { code: await exited, stdout, stderr, shards };
}

interface Wire { type: string; [field: string]: unknown }

interface Counted { outcomes: { ok: number; err: number; trap: number }; resumed: number; started: number; finished: number; restarts: number; shards: unknown[] }

function check(dir: string, label: string): Counted {
  const t0 = performance.now();
  const resumed = spawnSync(process.execPath, [CLI, 'resume', dir, '--json'], { encoding: 'utf8', timeout: 300_000 });
  const resumeMs = Math.round(performance.now() - t0);
  assert.is(resumed.status, 0, `${label}: ${resumed.stderr}`);
  const out = JSON.parse(resumed.stdout) as Counted;
  assert.is(out.outcomes.ok, N, label);
  assert.is(out.resumed + out.started + out.finished, N, label);
  const gaps = checkChains(dir, label);
  console.log(`  ${label}: resume took ${resumeMs} ms: ${out.resumed} resumed, ${out.started} started, ${out.finished} already finished, ${gaps} chains cross a gap, 0 lost`);
  return out;
}

/** Every actor's chain: ok, once from the start, never early, never backwards, verified across any gap; the number that cross one. */
function checkChains(dir: string, label: string): number {
  let gaps = 0;
  for (let i = 0; i < N; i++) {
    const text = readFileSync(join(dir, 'actors', `${i}.jsonl`), 'utf8');
    const verdict = verifyChain(text);
    assert.ok(verdict.ok, `${label}: actor ${i}: ${verdict.firstError?.message}`);
    const events = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { event: Wire }).event);
    const count = (type: string): number => events.filter((e) => e.type === type).length;
    assert.is(count('ActorIdentity'), 1, `${label}: actor ${i} identity`);
    assert.is(count('HandlerSetupStart'), 1, `${label}: actor ${i} ran more than once from the start`);
    assert.is(count('SubscribeDuration'), 1, `${label}: actor ${i} subscribed twice`);
    const end = events.at(-1) as Wire;
    assert.equal([end.type, end.outcome], ['ChainEnd', 'ok'], `${label}: actor ${i}`);
    const subscribe = events.find((e) => e.type === 'SubscribeDuration') as Wire;
    const readings = events.filter((e) => e.type === 'MonotonicClockNow').map((e) => BigInt(e.instant as string));
    assert.is(readings.length, 2, `${label}: actor ${i} readings`);
    assert.ok(readings[1] >= readings[0], `${label}: actor ${i}: its clock went backwards`);
    assert.ok(readings[1] >= BigInt(subscribe.deadline as string), `${label}: actor ${i} woke early by its own clock`);
    if (count('Resumed') > 0) gaps++;
  }
  return gaps;
}

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'theater-timing-durable-'));
}

const logs = (dir: string): string[] => (existsSync(join(dir, 'actors')) ? readdirSync(join(dir, 'actors')) : []);

test('kill -9 at a random point, resume: every actor finishes ok once, never early, its chain verifies across the gap', async () => {
  const dir = freshDir();
  try {
    const at = 200 + Math.floor(rand() * (SPREAD_MS - 200));
    console.log(`  kill at ${at} ms`);
    await runAndKill(dir, at);
    check(dir, `random (${at} ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 during the start burst', async () => {
  const dir = freshDir();
  try {
    const target = 1 + Math.floor(rand() * Math.min(MAX_LIVE, 50));
    await runAndKill(dir, () => logs(dir).length >= target);
    check(dir, `start burst (after ${target} logs)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 during a wake-up burst', async () => {
  const dir = freshDir();
  try {
    // The first wave wakes SLEEP_NS after it started: kill when its first actor has finished.
    const first = join(dir, 'actors', '0.jsonl');
    await runAndKill(dir, () => existsSync(first) && readFileSync(first, 'utf8').includes('"ChainEnd"'));
    check(dir, 'wake-up burst');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sharded: kill -9 of one shard mid-run: it is forked again and resumes its actors in the run; 0 lost', async () => {
  const dir = freshDir();
  try {
    const at = Math.floor(rand() * SPREAD_MS * 0.75);
    const t0 = performance.now();
    const run = await shardedRun(dir, at, 'shard');
    const runMs = Math.round(performance.now() - t0);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stderr, /shard 0 \(instances 0\.\.\d+\) was killed by SIGKILL; restarting it: its actors resume from their logs/);
    const out = JSON.parse(run.stdout) as Counted;
    assert.equal([out.outcomes.ok, out.restarts], [N, 1]);
    const gaps = checkChains(dir, `shard killed ${at} ms after the first log`);
    console.log(`  shard killed ${at} ms after the first log: restarted in the run, which took ${runMs} ms: ${out.resumed} resumed, ${out.started} started, ${out.finished} already finished, ${gaps} chains cross a gap, 0 lost`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sharded: kill -9 of the parent takes its shards with it; resume, sharded as recorded, finishes every actor; 0 lost', async () => {
  const dir = freshDir();
  try {
    const at = Math.floor(rand() * SPREAD_MS * 0.75);
    const run = await shardedRun(dir, at, 'parent');
    assert.is(run.code, null, 'killed');
    // A shard left running would go on writing the logs resume reads: each exits when its parent's channel closes.
    for (let i = 0; i < 2000 && run.shards.some(alive); i++) await sleep(5);
    assert.equal(run.shards.filter(alive), [], 'orphan shards');
    const out = check(dir, `parent killed ${at} ms after the first log`);
    assert.is(out.shards.length, 2, 'resumed over the 2 shards run.json records');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
