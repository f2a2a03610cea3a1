// run --durable and resume, in process: the folder's layout, the flags that
// cannot go with it, run.json checks, another component refused, a damaged log
// refused, a torn last record cut at seeded offsets and resumed from the record
// before it, finished actors not run again, the manifest's durable key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { processAlive } from '../../src/cli/durable-lock.ts';
import { verifyChain } from '../../src/events/verify.ts';
import { OutcomeTally } from '../../src/cli/durable-drive.ts';
import { actorManifest, manifestFor, tempDir, writeManifest } from './support.ts';

interface Run { code: number; stdout: string; stderr: string }
// A sharded run's shard processes run this CLI's source (so their coverage counts).
const ENTRY = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
async function cli(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false, entry: ENTRY });
  return { code, stdout, stderr };
}

/** The processes this one forked (Linux). */
function childPids(): number[] {
  const path = `/proc/${process.pid}/task/${process.pid}/children`;
  return readFileSync(path, 'utf8').trim().split(/\s+/).filter((t) => t !== '').map(Number);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const dir = tempDir();
const SLEEPER = actorManifest('sleeper');
const ONE_MS = '40420f0000000000';
const seed = Number(process.env.THEATER_TIMING_TORN_SEED ?? Date.now() % 1_000_000);
console.log(`durable CLI torn-record seed ${seed}`);

test('run --durable writes run.json and one verifying chain per actor; resume then finds them all finished', async () => {
  const d = join(dir, 'a');
  const r = await cli(['run', SLEEPER, '--durable', d, '--instances', '3', '--state-hex', ONE_MS]);
  assert.is(r.code, 0, r.stderr);
  const runFile = JSON.parse(readFileSync(join(d, 'run.json'), 'utf8')) as { format: number; instances: number; state_hex: string; component_sha256: string };
  assert.equal([runFile.format, runFile.instances, runFile.state_hex], [1, 3, ONE_MS]);
  for (let i = 0; i < 3; i++) assert.ok(verifyChain(readFileSync(join(d, 'actors', `${i}.jsonl`), 'utf8')).ok);
  const again = await cli(['run', SLEEPER, '--durable', d]);
  assert.is(again.code, 2);
  assert.match(again.stderr, /--durable: .* already holds a durable run: continue it with `theater-timing resume /);
  const resumed = await cli(['resume', d, '--json']);
  assert.is(resumed.code, 0, resumed.stderr);
  const out = JSON.parse(resumed.stdout) as { outcomes: { ok: number }; resumed: number; finished: number; started: number };
  assert.equal([out.outcomes.ok, out.resumed, out.started, out.finished], [3, 0, 0, 3]);
  const text = await cli(['resume', d]);
  assert.match(text.stderr, /resumed 0, started 0, already finished 3 of 3 actors/);
});

test('flags that cannot go with --durable: one line naming the flag, exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--replay', 'x.jsonl'], /--durable: cannot be combined with --replay/],
    [['--events', 'x.jsonl'], /--durable: cannot be combined with --events/],
    [['--chain-format', 'theater'], /--durable: keeps our JSON Lines only/],
    [['--clock', 'virtual'], /--durable: runs on the real clock/],
    [['--shard-index', '0', '--shard-count', '1', '--shard-ipc'], /--durable: --shard-ipc is internal to a sharded run/],
    [['--mode', 'sync'], /--durable: needs --mode jspi/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(['run', SLEEPER, '--durable', join(dir, 'never'), ...args]);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  assert.not.ok(existsSync(join(dir, 'never')));
  const empty = await cli(['run', SLEEPER, '--durable', '']);
  assert.is(empty.code, 2);
  assert.match(empty.stderr, /--durable: expected a folder, got ""/);
  const missing = await cli(['run', join(dir, 'no.toml'), '--durable', join(dir, 'never')]);
  assert.is(missing.code, 2);
  const help = await cli(['resume', '--help']);
  assert.match(help.stdout, /--json/);
  assert.is((await cli(['resume'])).code, 2);
  assert.is((await cli(['resume', 'a', 'b'])).code, 2);
  const internal: Array<[string[], RegExp]> = [
    [['--shard-index', '0'], /resume: --shard-index, --shard-count and --shard-ipc are internal to a sharded durable run and go together/],
    [['--shard-ipc'], /go together/],
    [['--shard-index', '2', '--shard-count', '2', '--shard-ipc'], /--shard-index: expected 0\.\.1 for --shard-count 2, got 2/],
    [['--shard-index', '0', '--shard-count', '2', '--shard-ipc', '--shards', '2'], /--shards: cannot be combined with --shard-index/],
    [['--shards', '0'], /--shards/],
    [['--shards', '9999'], /--shards: at most 256 processes/],
  ];
  for (const [args, message] of internal) {
    const r = await cli(['resume', 'a', ...args]);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  const orphan = await cli(['resume', join(dir, 'nothing'), '--shard-index', '0', '--shard-count', '2', '--shard-ipc']);
  assert.is(orphan.code, 2);
  assert.match(orphan.stderr, /--shard-ipc: this process has no IPC channel/);
});

test('resume refuses a folder that is not a durable run, a bad run.json field, another component, a damaged log', async () => {
  const none = await cli(['resume', join(dir, 'nothing')]);
  assert.is(none.code, 2);
  assert.match(none.stderr, /run\.json: cannot read \(ENOENT\): not the folder of a run --durable/);
  const d = join(dir, 'b');
  assert.is((await cli(['run', SLEEPER, '--durable', d, '--state-hex', ONE_MS])).code, 0);
  const path = join(d, 'run.json');
  const good = readFileSync(path, 'utf8');
  const runFile = JSON.parse(good) as Record<string, unknown>;
  const bad: Array<[Record<string, unknown> | string, RegExp]> = [
    ['{', /run\.json: not JSON/],
    ['[]', /\(top\): expected an object/],
    [{ ...runFile, format: 9 }, /format: expected 1/],
    [{ ...runFile, manifest: 3 }, /manifest: expected a path/],
    [{ ...runFile, component_sha256: 'x' }, /component_sha256: expected a hex SHA-256/],
    [{ ...runFile, instances: 0 }, /instances: expected a positive integer/],
    [{ ...runFile, state_hex: 'zz' }, /state_hex: expected null or hex/],
    [{ ...runFile, state_hex: '00'.repeat(64 * 2 ** 20 + 1) }, /state_hex: expected a state of at most 67108864 bytes \(64 MiB\), got 67108865/],
    [{ ...runFile, max_live: 'a' }, /max_live: expected null or an integer/],
    [{ ...runFile, anchor: {} }, /anchor: expected/],
    [{ ...runFile, shards: 0 }, /shards: expected null or a positive integer/],
    [{ ...runFile, slice: { index: 1, count: 1 } }, /slice: expected null or \{"index","count"\} with 0 <= index < count <= instances/],
    [{ ...runFile, slice: { index: 0, count: 2 } }, /slice: expected null/],
    [{ ...runFile, manifest: join(dir, 'gone.toml') }, /gone\.toml/],
  ];
  for (const [content, message] of bad) {
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    const r = await cli(['resume', d]);
    assert.is(r.code, 2, String(message));
    assert.match(r.stderr, message);
  }
  writeFileSync(path, JSON.stringify({ ...runFile, component_sha256: 'f'.repeat(64) }));
  const other = await cli(['resume', d]);
  assert.is(other.code, 2);
  assert.match(other.stderr, /the run's component was sha256 ffffffffffff…, .*sleeper\.wasm is now [0-9a-f]{12}…: a replay would diverge/);
  writeFileSync(path, good);
  const log = join(d, 'actors', '0.jsonl');
  const text = readFileSync(log, 'utf8');
  writeFileSync(log, text.replace('"HandlerSetupStart"', '"HandlerSetupStarx"'));
  const damaged = await cli(['resume', d]);
  assert.is(damaged.code, 2);
  assert.match(damaged.stderr, /0\.jsonl: record 1 \(byte \d+\): .*damaged before its last record/);
});

test('a torn last record (seeded cuts) is dropped and the actor resumes from the record before it; its chain verifies', async () => {
  const d = join(dir, 'c');
  assert.is((await cli(['run', SLEEPER, '--durable', d, '--state-hex', ONE_MS])).code, 0);
  const log = join(d, 'actors', '0.jsonl');
  const full = readFileSync(log);
  const lines = full.toString('utf8').trimEnd().split('\n');
  let rng = seed >>> 0;
  const next = (n: number): number => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    return rng % n;
  };
  for (let round = 0; round < 4; round++) {
    // Keep k whole records (the identity at least), then a part of the next one.
    const keep = 1 + next(lines.length - 1);
    const start = Buffer.byteLength(lines.slice(0, keep).map((l) => `${l}\n`).join(''));
    const next1 = Buffer.byteLength(`${lines[keep]}\n`);
    const cut = start + next(next1);
    writeFileSync(log, full.subarray(0, cut));
    const r = await cli(['resume', d, '--json']);
    assert.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { resumed: number; torn_bytes: number };
    assert.is(out.resumed, 1);
    assert.is(out.torn_bytes, cut - start, `cut at ${cut}`);
    const text = readFileSync(log, 'utf8');
    assert.ok(verifyChain(text).ok, `cut at ${cut}`);
    assert.ok(text.startsWith(lines.slice(0, keep).map((l) => `${l}\n`).join('')), 'the records before the tear are kept as they were');
    if (keep === lines.length - 1) assert.ok(readFileSync(log).equals(full), 'only ChainEnd was torn: the same chain again');
  }
});

test('the determinism guard: an import a resume cannot replay fails the manifest at start, in one line naming it', async () => {
  const r = await cli(['run', actorManifest('external-waiter'), '--durable', join(dir, 'ext')]);
  assert.is(r.code, 2);
  assert.is(r.stderr, `theater-timing: ${actorManifest('external-waiter')}: durable: the component imports theater-test:external-waiter/source, which a resume cannot replay (a durable actor may import only wasi:clocks/monotonic-clock, wasi:clocks/wall-clock, wasi:io/poll)\n`);
  assert.not.ok(existsSync(join(dir, 'ext', 'run.json')));
});

test('a manifest\'s durable key makes the run durable', async () => {
  const manifest = writeManifest(dir, 'durable.toml', manifestFor('sleeper', 'durable = "./keyed"'));
  const r = await cli(['run', manifest, '--state-hex', ONE_MS]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'keyed', 'run.json')));
  const bad = writeManifest(dir, 'bad.toml', manifestFor('sleeper', 'durable = 3'));
  const refused = await cli(['run', bad]);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /bad\.toml: durable: expected a folder path/);
});

test('hibernate_after: an actor waiting longer is dropped and rebuilt by replay before its deadline; it wakes on time, its chain verifies', async () => {
  const manifest = writeManifest(dir, 'hib.toml', manifestFor('sleeper', 'hibernate_after = 100'));
  const d = join(dir, 'hib');
  const r = await cli(['run', manifest, '--durable', d, '--instances', '3', '--state-hex', '0084d71700000000', '--json']); // 400 ms
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { outcomes: { ok: number }; hibernated: number; hibernations: number; kept_live: number };
  assert.equal([out.outcomes.ok, out.hibernated, out.hibernations, out.kept_live], [3, 3, 3, 0]);
  let worst = 0n;
  for (let i = 0; i < 3; i++) {
    const text = readFileSync(join(d, 'actors', `${i}.jsonl`), 'utf8');
    assert.ok(verifyChain(text).ok);
    const events = text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { event: Record<string, string> }).event);
    assert.ok(events.some((e) => e.type === 'Resumed'), 'the rebuild is marked');
    const deadline = BigInt(events.find((e) => e.type === 'SubscribeDuration')?.deadline ?? '0');
    const woke = BigInt(events.filter((e) => e.type === 'MonotonicClockNow').at(-1)?.instant ?? '0');
    assert.ok(woke >= deadline, 'never early');
    if (woke - deadline > worst) worst = woke - deadline;
  }
  console.log(`  hibernation: worst lateness ${Number(worst) / 1e6} ms after a rebuild ${50} ms before the deadline`);
  // A short wait stays live.
  const live = await cli(['run', manifest, '--durable', join(dir, 'hib2'), '--state-hex', ONE_MS, '--json']);
  assert.equal((JSON.parse(live.stdout) as { kept_live: number }).kept_live, 1);
  const bad = writeManifest(dir, 'hibbad.toml', manifestFor('sleeper', 'hibernate_after = 0'));
  const refused = await cli(['run', bad, '--durable', join(dir, 'hib3')]);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /hibbad\.toml: hibernate_after: expected a positive integer \(ms\), got 0/);
});

test('--shards 2: a shard killed mid-run is forked again and resumes its actors from their logs; resume shards the same way', async () => {
  const d = join(dir, 'sharded');
  const TWO_S = Buffer.from(new BigUint64Array([2_000_000_000n]).buffer).toString('hex');
  const running = cli(['run', SLEEPER, '--durable', d, '--instances', '4', '--shards', '2', '--state-hex', TWO_S, '--json']);
  // Kill the first shard once its two actors are asleep (each log holds its subscribe).
  const asleep = (i: number): boolean => existsSync(join(d, 'actors', `${i}.jsonl`)) && readFileSync(join(d, 'actors', `${i}.jsonl`), 'utf8').includes('"SubscribeDuration"');
  for (let i = 0; i < 2000 && !(asleep(0) && asleep(1)); i++) await sleep(5);
  const shards = childPids();
  assert.is(shards.length, 2, 'two shard processes');
  process.kill(Math.min(...shards), 'SIGKILL');
  const r = await running;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /shard 0 \(instances 0\.\.1\) was killed by SIGKILL; restarting it: its actors resume from their logs \(restart 1 of 1\)/);
  const out = JSON.parse(r.stdout) as { outcomes: { ok: number }; restarts: number; resumed: number; started: number; shards: Array<{ restarts: number }> };
  assert.equal([out.outcomes.ok, out.restarts, out.resumed, out.started], [4, 1, 2, 2]);
  assert.equal(out.shards.map((s) => s.restarts), [1, 0]);
  assert.equal((JSON.parse(readFileSync(join(d, 'run.json'), 'utf8')) as { shards: number }).shards, 2);
  for (let i = 0; i < 4; i++) {
    const text = readFileSync(join(d, 'actors', `${i}.jsonl`), 'utf8');
    assert.ok(verifyChain(text).ok, `actor ${i}`);
    assert.is(text.split('"HandlerSetupStart"').length, 2, `actor ${i} ran once from the start`);
    assert.is(text.includes('"Resumed"'), i < 2, `actor ${i}: a Resumed record only where its shard was killed`);
  }
  const again = await cli(['resume', d]);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stderr, /resumed 0, started 0, already finished 4 of 4 actors/);
  const one = await cli(['resume', d, '--shards', '1', '--json']);
  assert.equal((JSON.parse(one.stdout) as { finished: number; shards: unknown[] }).shards.length, 1);
});

test('--shards 2: a shard lost twice is reported lost with the command that continues it; a stalled shard is killed and restarted', async () => {
  const d = join(dir, 'twice');
  const TWO_S = Buffer.from(new BigUint64Array([2_000_000_000n]).buffer).toString('hex');
  const running = cli(['run', SLEEPER, '--durable', d, '--instances', '2', '--shards', '2', '--state-hex', TWO_S, '--json']);
  const asleep = (i: number): boolean => existsSync(join(d, 'actors', `${i}.jsonl`)) && readFileSync(join(d, 'actors', `${i}.jsonl`), 'utf8').includes('"SubscribeDuration"');
  let shards = childPids();
  for (let i = 0; i < 2000 && !(asleep(0) && shards.length === 2); i++, shards = childPids()) await sleep(5);
  const [first, other] = [Math.min(...shards), Math.max(...shards)];
  process.kill(first, 'SIGKILL');
  // Shard 0 again: the one new pid beside shard 1's.
  let again = childPids().filter((pid) => pid !== first && pid !== other);
  for (let i = 0; i < 2000 && again.length === 0; i++, again = childPids().filter((pid) => pid !== first && pid !== other)) await sleep(5);
  process.kill(again[0], 'SIGKILL');
  const r = await running;
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /shard 0 \(instances 0\.\.0\) was lost again; its actors' logs are in .*twice: `theater-timing resume .*twice` continues them/);
  const out = JSON.parse(r.stdout) as { outcomes: { ok: number; trap: number }; restarts: number; shards: Array<{ status: string }> };
  assert.equal([out.outcomes.ok, out.outcomes.trap, out.restarts, out.shards[0].status], [1, 1, 1, 'died']);
  const resumed = await cli(['resume', d, '--json']);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as { resumed: number; finished: number }).finished + (JSON.parse(resumed.stdout) as { resumed: number }).resumed, 2);
  assert.ok(verifyChain(readFileSync(join(d, 'actors', '0.jsonl'), 'utf8')).ok);
  // Stalled: a stopped shard sends no heartbeat; after the timeout the parent kills it and forks it again.
  const s = join(dir, 'stalled');
  process.env.THEATER_TIMING_SHARD_TIMEOUT_MS = '2000'; // wide: a busy but live shard must not pass for stalled
  try {
    const run = cli(['run', SLEEPER, '--durable', s, '--instances', '2', '--shards', '2', '--state-hex', TWO_S, '--json']);
    const stopped = (i: number): boolean => existsSync(join(s, 'actors', `${i}.jsonl`)) && readFileSync(join(s, 'actors', `${i}.jsonl`), 'utf8').includes('"SubscribeDuration"');
    for (let i = 0; i < 2000 && !stopped(0); i++) await sleep(5);
    process.kill(Math.min(...childPids()), 'SIGSTOP');
    const done = await run;
    assert.is(done.code, 0, done.stderr);
    assert.match(done.stderr, /shard 0 \(instances 0\.\.0\) stopped answering and was killed; restarting it/);
  } finally {
    delete process.env.THEATER_TIMING_SHARD_TIMEOUT_MS;
  }
  process.env.THEATER_TIMING_SHARD_TIMEOUT_MS = 'soon';
  try {
    const bad = await cli(['resume', s, '--shards', '2']);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /THEATER_TIMING_SHARD_TIMEOUT_MS: expected a positive integer/);
    const refused = await cli(['run', SLEEPER, '--durable', join(dir, 'badtimeout'), '--instances', '2', '--shards', '2']);
    assert.is(refused.code, 2);
    assert.match(refused.stderr, /--durable: THEATER_TIMING_SHARD_TIMEOUT_MS: expected a positive integer/);
    assert.not.ok(existsSync(join(dir, 'badtimeout', 'run.json')));
  } finally {
    delete process.env.THEATER_TIMING_SHARD_TIMEOUT_MS;
  }
});

test('one driver per folder: a live holder of <dir>/lock is refused by pid; a dead one\'s lock is taken over once its shards are gone', async () => {
  const d = join(dir, 'locked');
  assert.is((await cli(['run', SLEEPER, '--durable', d, '--state-hex', ONE_MS])).code, 0);
  assert.not.ok(existsSync(join(d, 'lock')), 'released at the end');
  writeFileSync(join(d, 'lock'), JSON.stringify({ pid: process.pid, shards: [] }));
  const busy = await cli(['resume', d]);
  assert.is(busy.code, 2);
  assert.match(busy.stderr, new RegExp(`locked: in use by pid ${process.pid} \\(a run or resume of it is still going\\): stop it first, or remove .*lock if that process is not one of ours`));
  const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
  // The dead driver's shard still runs: resume waits for it (5 s), then refuses, naming it.
  const shard = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  const exited = new Promise((r) => shard.once('exit', r));
  writeFileSync(join(d, 'lock'), JSON.stringify({ pid: dead, shards: [shard.pid] }));
  const stuck = await cli(['resume', d]);
  assert.is(stuck.code, 2);
  assert.match(stuck.stderr, new RegExp(`shard process ${shard.pid} of a dead run still runs: stop it first`));
  // It exits while resume waits: resume goes on.
  const taken = cli(['resume', d]);
  setTimeout(() => shard.kill('SIGKILL'), 200);
  assert.is((await taken).code, 0);
  await exited;
  assert.not.ok(existsSync(join(d, 'lock')));
  writeFileSync(join(d, 'lock'), '{torn');
  assert.is((await cli(['resume', d])).code, 0, 'a torn lock names nobody');
  const again = join(dir, 'locked2');
  mkdirSync(again, { recursive: true });
  writeFileSync(join(again, 'lock'), JSON.stringify({ pid: process.pid }));
  const run = await cli(['run', SLEEPER, '--durable', again]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /--durable: .*locked2: in use by pid/);
  assert.is(processAlive(dead), false);
  assert.is(processAlive(process.pid), true);
});

test('durable slices: each folder holds its slice; merge takes their results; resume of a slice resumes that slice', async () => {
  const results: string[] = [];
  for (const i of [0, 1]) {
    const r = await cli(['run', SLEEPER, '--durable', join(dir, `slice${i}`), '--instances', '5', '--shard-index', String(i), '--shard-count', '2', '--state-hex', ONE_MS, '--json']);
    assert.is(r.code, 0, r.stderr);
    results.push(join(dir, `slice${i}.json`));
    writeFileSync(results[i], r.stdout);
  }
  assert.equal(readdirSync(join(dir, 'slice1', 'actors')).sort(), ['2.jsonl', '3.jsonl', '4.jsonl']);
  assert.equal((JSON.parse(readFileSync(join(dir, 'slice1', 'run.json'), 'utf8')) as { slice: unknown }).slice, { index: 1, count: 2 });
  const merged = await cli(['merge', ...results, '--json']);
  assert.is(merged.code, 0, merged.stderr);
  assert.equal((JSON.parse(merged.stdout) as { outcomes: { ok: number } }).outcomes.ok, 5);
  // An actor whose log never reached the disk starts on resume; the rest of the slice is finished; no other slice's actor runs here.
  unlinkSync(join(dir, 'slice1', 'actors', '3.jsonl'));
  const resumed = await cli(['resume', join(dir, 'slice1'), '--json']);
  assert.is(resumed.code, 0, resumed.stderr);
  const out = JSON.parse(resumed.stdout) as { instances: number; started: number; finished: number; slice: { index: number; first: number; total: number } };
  assert.equal([out.instances, out.started, out.finished, out.slice.index, out.slice.first, out.slice.total], [3, 1, 2, 1, 2, 5]);
  assert.equal(readdirSync(join(dir, 'slice1', 'actors')).sort(), ['2.jsonl', '3.jsonl', '4.jsonl']);
  writeFileSync(results[1], resumed.stdout);
  assert.is((await cli(['merge', ...results])).code, 0);
  const sharded = await cli(['resume', join(dir, 'slice1'), '--shards', '2']);
  assert.is(sharded.code, 2);
  assert.match(sharded.stderr, /--shards: .*slice1 holds slice 1 of 2, which resumes in one process/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test('a durable run keeps counts, the first failures in instance order and the first state, not every outcome', () => {
  const tally = new OutcomeTally(100);
  // Settled in reverse order, as actors of different lengths do: the summary still shows the lowest instances.
  for (let instance = 199; instance >= 100; instance--) {
    tally.add(instance, instance % 3 === 0 ? { status: 'trap', error: `t${instance}` } : instance % 3 === 1 ? { status: 'err', error: `e${instance}` } : { status: 'ok', state: new Uint8Array([instance & 255]) });
  }
  assert.equal(tally.counts, { ok: 33, err: 34, trap: 33 });
  assert.equal(tally.failures.map((f) => f.instance), [100, 102, 103, 105, 106, 108, 109, 111, 112, 114]);
  assert.is(tally.failures[0]!.status, 'err');
  assert.is(tally.failures[1]!.error, 't102');
  assert.is(tally.headState, null); // instance 100 returned err
  const ok = new OutcomeTally(0);
  ok.add(1, { status: 'ok', state: new Uint8Array([1]) });
  ok.add(0, { status: 'ok', state: new Uint8Array([7]) });
  assert.equal(ok.headState, new Uint8Array([7]));
});

test.run();
