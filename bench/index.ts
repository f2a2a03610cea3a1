// npm run bench: every benchmark in one process, peers side by side, then
// bench/RESULTS.md with the machine, the Node and jco versions and the date,
// and the SVG charts it embeds (bench/charts.ts), drawn from the same numbers.
// Run with --expose-gc (the npm script does). `node --expose-gc bench/index.ts fleet`
// runs only the sections whose file name contains "fleet" and prints them
// (`fairness,spawn`: those matching either).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildActors } from '../scripts/build-actors.ts';
import { chartsMarkdown, writeCharts } from './charts.ts';
import { targetsTable, verdictNotes } from './notes.ts';
import { machine, TARGETS } from './support.ts';
import { applyFleetV8Flags } from '../src/runtime/gc-flags.ts';

const SECTIONS = [
  { file: 'wheel-schedule', title: 'Timer wheel (issue 2)' },
  { file: 'wheel-cancel' },
  { file: 'wheel-advance' },
  { file: 'wheel-memory' },
  { file: 'timeouts' },
  { file: 'pollables', title: 'Pollables, scheduler and the WASI adapters (issues 3 and 5)' },
  { file: 'timers-at-scale' },
  { file: 'calls' },
  { file: 'poll' },
  { file: 'fleet' },
  { file: 'zero-spin' },
  { file: 'chain', title: 'Event chains (issue 9)' },
  { file: 'deterministic', title: 'Deterministic time: virtual clock and replay (issue 11)' },
  { file: 'shards', title: 'Fleets over shard processes (issue 12)' },
  { file: 'fairness', title: 'Fair sharing of the thread (issue 9)' },
  { file: 'fairness-cost' },
  { file: 'spawn', title: 'What an actor costs (issue 22)' },
  { file: 'p3', title: 'WASI 0.3 clocks (issue 23)' },
  { file: 'durable', title: 'Durable actors (issue 21)' },
] as const;

/** The hand-measured part of RESULTS.md (from its marker line to the end), kept as it is. */
function handMeasured(path: string): string {
  const MARKER = '<!-- measured by hand:';
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const at = text.indexOf(MARKER);
  return at === -1 ? '' : text.slice(at);
}

if (!globalThis.gc) throw new Error('bench: run with node --expose-gc (npm run bench does)');
// As the CLI does: when V8 collects follows the heap, not each 64 MiB of wasm memories (src/runtime/gc-flags.ts).
applyFleetV8Flags();
await buildActors(); // the benches run the test actors; a fresh clone has not built them yet
const filter = process.argv[2];
const header = machine();
const parts: string[] = [];
const started = performance.now();
for (const { file, ...rest } of SECTIONS) {
  if (filter !== undefined && !filter.split(',').some((f) => file.includes(f))) continue;
  if ('title' in rest) parts.push(`## ${rest.title}\n`);
  const t0 = performance.now();
  const mod = (await import(`./${file}.bench.ts`)) as { run(): Promise<string> };
  const section = await mod.run();
  parts.push(section);
  process.stdout.write(`${section}\n`);
  process.stderr.write(`bench: ${file} took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
const body = parts.join('\n');
// Charts from this run's numbers: beside RESULTS.md after a full run; a
// filtered run writes its charts to the git-ignored out/bench-charts/ instead.
const chartDir = filter === undefined ? import.meta.dirname : join(import.meta.dirname, '..', 'out', 'bench-charts');
mkdirSync(chartDir, { recursive: true });
const charts = writeCharts(chartDir, `measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
for (const chart of charts) process.stderr.write(`bench: wrote ${join(chartDir, chart.file)}\n`);
if (filter === undefined) {
  const resultsPath = join(import.meta.dirname, 'RESULTS.md');
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const end = `- Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (a 2-core machine: above ~1 something else was running)`;
  writeFileSync(resultsPath,
    `# Benchmark results\n\nWritten by \`npm run bench\` (${seconds} s). Every table down to the hand-measured part was measured in this one run.\n\n${header}\n${end}\n\n${targetsTable(TARGETS)}\n${chartsMarkdown(charts)}${body}\n${verdictNotes(TARGETS)}\n${handMeasured(resultsPath)}`);
  process.stderr.write('bench: wrote bench/RESULTS.md\n');
}
