// Durable actors (issue 21), side by side in one run, through the CLI's own code
// (runCli in process, real components, real files):
//   rebuild cost   `resume` of K actors whose logs hold L records (zero-spinner
//                  logs with their ChainEnd cut off: each actor is read, spawned,
//                  replayed hash for hash to the end of its log, and ended), per
//                  actor, against a fresh spawn (a 0-loop log) and against
//                  running the same L records live, same K;
//   durability     clock-spinner reading now() for 300 ms: no recording, the
//                  chain file (--events), the durable log (--durable); calls/s
//                  and CPU per call, alternating, median of 3;
//   density        2,000 and 10,000 sleepers × 10 s, live and hibernated
//                  (bench/density.ts as child processes, RSS from /proc): RSS
//                  while all sleep; the slope between the sizes per sleeper.
// The 1,000,000-sleeper density run is bench/density.ts on its own (docs/DURABLE.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/cli.ts';

export { run };

const ROOT = join(import.meta.dirname, '..');
const wasm = (name: string): string => join(ROOT, 'test-actors', 'build', `${name}.wasm`);

interface Json { state: string | null; runMs: number; outcomes: { ok: number } }

async function cli(argv: string[]): Promise<{ json: Json; cpuMs: number }> {
  let stdout = '';
  let stderr = '';
  const cpu0 = process.cpuUsage();
  const code = await runCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, isTTY: false });
  const cpu = process.cpuUsage(cpu0);
  if (code !== 0) throw new Error(`durable bench: ${argv.join(' ')}: exit ${code}: ${stderr}`);
  return { json: JSON.parse(stdout) as Json, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function manifest(dir: string, actor: string, extra: string, handler = ''): string {
  const path = join(dir, `${actor}.toml`);
  writeFileSync(path, `name = "${actor}"\nversion = "0.1.0"\ncomponent = ${JSON.stringify(wasm(actor))}\n${extra}\n[[handler]]\ntype = "timing"\n${handler}`);
  return path;
}

const u32 = (n: number): string => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b.toString('hex'); };
const u64 = (n: bigint): string => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b.toString('hex'); };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Cuts every log's last record (its ChainEnd): a resume then replays the whole log. */
function cutEnds(runDir: string): number {
  let records = 0;
  for (const name of readdirSync(join(runDir, 'actors'))) {
    const path = join(runDir, 'actors', name);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    records = lines.length - 1;
    writeFileSync(path, `${lines.slice(0, -1).join('\n')}\n`);
  }
  return records;
}

async function rebuildRows(dir: string): Promise<string> {
  // hibernate_after far away: every actor runs through the durable driver, none hibernates.
  const m = manifest(dir, 'zero-spinner', 'hibernate_after = 3600000\n', 'min_sleep_duration = 0\n');
  const rows: string[] = [];
  // Warm-up (the component's transpiled glue, the JIT): a run and a resume, not counted.
  await cli(['run', m, '--durable', join(dir, 'warm'), '--instances', '200', '--state-hex', u32(30), '--json']);
  cutEnds(join(dir, 'warm'));
  await cli(['resume', join(dir, 'warm'), '--json']);
  const spawnK = 2000;
  const spawn0 = await cli(['run', m, '--durable', join(dir, 'spawn'), '--instances', String(spawnK), '--state-hex', u32(0), '--json']);
  rows.push(`| fresh spawn (a 0-loop zero-spinner: spawn, setup records, end) | ${spawnK} | — | ${(spawn0.json.runMs * 1000 / spawnK).toFixed(0)} | ${(spawn0.cpuMs * 1000 / spawnK).toFixed(0)} | — |`);
  for (const target of [10, 100, 1000, 10_000]) {
    const loops = Math.max(1, Math.round((target - 6) / 3));
    const k = Math.max(20, Math.min(2000, Math.round(200_000 / target)));
    const runDir = join(dir, `r${target}`);
    const live = await cli(['run', m, '--durable', runDir, '--instances', String(k), '--state-hex', u32(loops), '--json']);
    const records = cutEnds(runDir);
    const resumed = await cli(['resume', runDir, '--json']);
    if (resumed.json.outcomes.ok !== k) throw new Error(`durable bench: resume of ${records}-record logs: ${resumed.json.outcomes.ok} of ${k} ok`);
    const cpuUs = (resumed.cpuMs * 1000) / k;
    rows.push(`| rebuild: ${records.toLocaleString('en-US')} records | ${k} | ${(live.json.runMs * 1000 / k).toFixed(0)} | ${(resumed.json.runMs * 1000 / k).toFixed(0)} | ${cpuUs.toFixed(0)} | ${records > 10 ? ((cpuUs - (spawn0.cpuMs * 1000) / spawnK) / records).toFixed(2) : '—'} |`);
    rmSync(runDir, { recursive: true, force: true });
  }
  return ['| case | actors | run live, µs/actor | rebuild (resume), µs/actor wall | CPU µs/actor | CPU µs per replayed record over a fresh spawn |', '| --- | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

async function durabilityRows(dir: string): Promise<string> {
  const m = manifest(dir, 'clock-spinner', '', 'max_events = 100000000\n');
  const spinMs = 300;
  const state = u64(BigInt(spinMs) * 1_000_000n);
  const ways: Array<[string, (i: number) => string[]]> = [
    ['no recording', () => []],
    ['chain file (--events, 64 KiB buffered writes)', (i) => ['--events', join(dir, `c${i}.jsonl`)]],
    ['durable log (--durable: one write(2) per guest turn or 64 KiB, 100 ms group commit)', (i) => ['--durable', join(dir, `d${i}`)]],
  ];
  const results = ways.map(() => ({ rate: [] as number[], cpuNs: [] as number[] }));
  for (let round = 0; round < 3; round++) {
    for (const [w, [, extra]] of ways.entries()) {
      const r = await cli(['run', m, '--state-hex', state, '--json', ...extra(round)]);
      const calls = Number(Buffer.from(r.json.state ?? '', 'hex').readBigUInt64LE(0));
      results[w].rate.push(calls / (spinMs / 1000));
      results[w].cpuNs.push((r.cpuMs * 1e6) / calls);
    }
  }
  const base = median(results[0].cpuNs);
  const rows = ways.map(([label], w) => {
    const rate = median(results[w].rate);
    const cpu = median(results[w].cpuNs);
    return `| ${label} | ${(rate / 1000).toFixed(0)}k | ${(cpu / 1000).toFixed(2)} | ${w === 0 ? '—' : `+${((cpu - base) / 1000).toFixed(2)}`} | ${(1e6 / cpu).toFixed(0)}k |`;
  });
  return ['| recording | now() calls/s (one actor, wall) | CPU µs per call | overhead µs per call | calls per CPU-second (per core) |', '| --- | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

interface DensityRow { plateauRssMb: number; peakRssMb: number; lateMs: { p50: number; p99: number; max: number } }

function density(actors: number, live: boolean): DensityRow {
  const args = [join(import.meta.dirname, 'density.ts'), '--actors', String(actors), '--sleep-ms', '10000', ...(live ? ['--live', '--max-live', String(actors)] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).split('\n')[0]) as DensityRow;
}

/** RSS while every sleeper is asleep at two sizes; the slope between them is what one more sleeper costs. */
function densityRows(): string {
  const [small, large] = [2000, 10_000];
  const rows = [true, false].map((live) => {
    const a = density(small, live);
    const b = density(large, live);
    const perActor = ((b.plateauRssMb - a.plateauRssMb) * 2 ** 20) / (large - small);
    return `| ${live ? 'live (suspended instances)' : 'hibernated'} | ${a.plateauRssMb.toFixed(0)} / ${b.plateauRssMb.toFixed(0)} | ${b.peakRssMb.toFixed(0)} | ${(perActor / 1024).toFixed(2)} | ${((2 ** 30 / perActor) / 1000).toFixed(0)}k | ${b.lateMs.p50.toFixed(1)} / ${b.lateMs.p99.toFixed(1)} / ${b.lateMs.max.toFixed(1)} |`;
  });
  return [`| sleepers (× 10 s) | RSS asleep, ${small.toLocaleString('en-US')} / ${large.toLocaleString('en-US')} (MB) | peak RSS at ${large.toLocaleString('en-US')} (MB) | KB per more sleeper (the slope) | sleepers per GB at that slope | lateness p50 / p99 / max at ${large.toLocaleString('en-US')} (ms) |`, '| --- | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'theater-timing-durable-bench-'));
  try {
    const rebuild = await rebuildRows(dir);
    const durability = await durabilityRows(dir);
    const density = densityRows();
    return `### rebuild cost\n\nAgainst the log's length (zero-spinner logs, 3 records per loop; K actors per row):\n\n${rebuild}\n\n### durability cost\n\nOne clock-spinner, 300 ms of now() calls, median of 3 alternating rounds:\n\n${durability}\n\n### density\n\nLive against hibernated (bench/density.ts):\n\n${density}\n`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
