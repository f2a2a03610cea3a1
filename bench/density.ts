// Density of hibernated sleepers (issue 21): N sleeper actors in one durable run,
// each sleeping --sleep-ms, hibernated after their first block (hibernate_after),
// rebuilt by replay before their deadline. The CLI runs as a child process, as an
// operator would run it; this process samples its RSS (VmRSS, VmHWM) and CPU time
// from /proc every 250 ms, then reads every actor's log for its own clock:
// started (first reading), deadline (SubscribeDuration), woke (the reading after
// the block). Prints one Markdown row, and the plateau: RSS while every actor is
// asleep (between the last start and the first rebuild), per actor.
//
//   node bench/density.ts --actors 100000 --sleep-ms 60000 [--live] [--max-live n] [--shards n] [--keep]
//
// --live: no hibernate_after (every sleeper stays a live, suspended instance; at
// most maxLiveCeiling of them, limits.ts). --shards: the run's shard processes (default 1);
// RSS and CPU are then summed over the CLI and every process under it. Build first (dist/ and test-actors/build).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statfsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HIBERNATE_LEAD_MS } from '../src/cli/durable-drive.ts';
import { percentile } from './support.ts';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: {
  actors: { type: 'string', default: '10000' }, 'sleep-ms': { type: 'string', default: '20000' },
  live: { type: 'boolean', default: false }, 'max-live': { type: 'string' }, shards: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false },
} });
const actors = Number(values.actors);
const sleepMs = Number(values['sleep-ms']);
if (!Number.isSafeInteger(actors) || actors < 1) throw new Error(`--actors: expected a positive integer, got ${values.actors}`);
if (!Number.isSafeInteger(sleepMs) || sleepMs < 1000) throw new Error(`--sleep-ms: expected an integer ≥ 1000, got ${values['sleep-ms']}`);

interface Sample { t: bigint; rssKb: number; hwmKb: number; cpuMs: number }

function sampleOne(pid: number): Omit<Sample, 't'> | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), cpuMs: (Number(stat[11]) + Number(stat[12])) * 10 };
  } catch {
    return null;
  }
}

/** The process and every process under it (shard children). */
function tree(pid: number): number[] {
  const all = [pid];
  for (let at = 0; at < all.length; at++) {
    try {
      for (const task of readdirSync(`/proc/${all[at]}/task`)) {
        for (const child of readFileSync(`/proc/${all[at]}/task/${task}/children`, 'utf8').trim().split(/\s+/)) if (child !== '') all.push(Number(child));
      }
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/** RSS, peak RSS and CPU summed over the process tree (a shard's peak counts while it lives; sampling every 250 ms). */
const cpuOf = new Map<number, number>(); // CPU ms per process ever seen: a shard that exited still counts
function sample(pid: number): Sample | null {
  const parts = tree(pid).map((p) => [p, sampleOne(p)] as const).filter((e): e is readonly [number, Omit<Sample, 't'>] => e[1] !== null);
  if (parts.length === 0) return null;
  for (const [p, part] of parts) cpuOf.set(p, Math.max(cpuOf.get(p) ?? 0, part.cpuMs));
  const sum = (f: (s: Omit<Sample, 't'>) => number): number => parts.reduce((a, [, part]) => a + f(part), 0);
  return { t: process.hrtime.bigint(), rssKb: sum((x) => x.rssKb), hwmKb: sum((x) => x.hwmKb), cpuMs: [...cpuOf.values()].reduce((a, b) => a + b, 0) };
}

const dir = mkdtempSync(join(tmpdir(), 'theater-timing-density-'));
const manifest = join(dir, 'sleeper.toml');
const hibernateAfter = Math.max(100, Math.floor(sleepMs / 4));
writeFileSync(manifest, `name = "sleeper"\nversion = "0.1.0"\ncomponent = ${JSON.stringify(join(ROOT, 'test-actors', 'build', 'sleeper.wasm'))}\n${values.live ? '' : `hibernate_after = ${hibernateAfter}\n`}\n[[handler]]\ntype = "timing"\n`);
const state = Buffer.alloc(8);
state.writeBigUInt64LE(BigInt(sleepMs) * 1_000_000n);
const args = [join(ROOT, 'dist', 'theater-timing.js'), 'run', manifest, '--durable', join(dir, 'run'), '--instances', String(actors), '--state-hex', state.toString('hex'), '--json'];
if (values['max-live'] !== undefined) args.push('--max-live', values['max-live']);
args.push('--shards', values.shards);
const loadBefore = loadavg()[0];
const t0 = process.hrtime.bigint();
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let stdout = '';
child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
const samples: Sample[] = [];
const timer = setInterval(() => { const s = sample(child.pid ?? 0); if (s !== null) samples.push(s); }, 250);
const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
clearInterval(timer);
const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
if (code !== 0) throw new Error(`density: the run exited ${code}: ${stdout.slice(0, 500)}`);
const out = JSON.parse(stdout) as { outcomes: { ok: number }; hibernated: number; hibernations: number; kept_live: number; peakLive: number };

// Every actor's own clock, from its log.
const starts: bigint[] = [];
const wakes: bigint[] = [];
let late: number[] = [];
let early = 0;
let logBytes = 0;
const actorsDir = join(dir, 'run', 'actors');
for (const name of readdirSync(actorsDir)) {
  const text = readFileSync(join(actorsDir, name), 'utf8');
  logBytes += text.length;
  const readings = [...text.matchAll(/"type":"MonotonicClockNow","instant":"(\d+)"/g)].map((m) => BigInt(m[1]));
  const deadline = BigInt(/"type":"SubscribeDuration".*?"deadline":"(\d+)"/.exec(text)?.[1] ?? '0');
  const woke = readings.at(-1) ?? 0n;
  starts.push(readings[0]);
  wakes.push(deadline);
  if (woke < deadline) early++;
  late.push(Number(woke - deadline) / 1e6);
}
late = late.sort((a, b) => a - b);
const min = (xs: bigint[]): bigint => xs.reduce((a, b) => (b < a ? b : a));
const max = (xs: bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a));
const lastStart = max(starts);
const firstRebuild = min(wakes) - BigInt(HIBERNATE_LEAD_MS) * 1_000_000n;
// The plateau: every actor asleep (a second of margin each side); guest clocks read the host's CLOCK_MONOTONIC.
const plateau = samples.filter((s) => s.t > lastStart + 1_000_000_000n && s.t < firstRebuild - 1_000_000_000n);
const plateauKb = plateau.length === 0 ? NaN : plateau.map((s) => s.rssKb).sort((a, b) => a - b)[plateau.length >> 1];
const cpuIn = (from: bigint, to: bigint): number => {
  const inside = samples.filter((s) => s.t >= from && s.t <= to);
  return inside.length < 2 ? NaN : inside.at(-1)!.cpuMs - inside[0].cpuMs;
};
const startCpu = cpuIn(t0, lastStart + 500_000_000n);
const wakeCpu = cpuIn(firstRebuild - 500_000_000n, samples.at(-1)!.t);
const peakKb = Math.max(...samples.map((s) => s.hwmKb));
const disk = statfsSync(dir);
const row = {
  actors, sleepMs, mode: values.live ? 'live' : `hibernate_after ${hibernateAfter} ms`, ok: out.outcomes.ok, hibernated: out.hibernated, keptLive: out.kept_live,
  startSpreadS: Number(lastStart - min(starts)) / 1e9, wallS,
  peakRssMb: peakKb / 1024, plateauRssMb: plateauKb / 1024, plateauBytesPerActor: (plateauKb * 1024) / actors,
  startCpuUsPerActor: (startCpu * 1000) / actors, wakeCpuUsPerActor: (wakeCpu * 1000) / actors,
  lateMs: { p50: percentile(late, 50), p99: percentile(late, 99), max: late.at(-1), early },
  logBytesPerActor: logBytes / actors, freeDiskGb: (disk.bavail * disk.bsize) / 2 ** 30, load: `${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
};
console.log(JSON.stringify(row));
console.log(`| ${actors.toLocaleString('en-US')} × ${sleepMs / 1000} s | ${row.mode} | ${row.ok} ok, ${row.hibernated} hibernated | ${row.startSpreadS.toFixed(1)} s | ${row.peakRssMb.toFixed(0)} MB | ${row.plateauRssMb.toFixed(0)} MB (${(row.plateauBytesPerActor / 1024).toFixed(2)} KB/actor) | ${row.startCpuUsPerActor.toFixed(0)} / ${row.wakeCpuUsPerActor.toFixed(0)} µs | ${row.lateMs.p50.toFixed(1)} / ${row.lateMs.p99.toFixed(1)} / ${row.lateMs.max?.toFixed(1)} ms, ${early} early | ${row.load} |`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
