// `npm test` after the type check: every uvu suite under c8, then the coverage gate.
// Prints a plain "N passed, N failed" closing line so CI can read the count.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '..');
const gates: ReadonlyArray<{ dir: string; lines: number; branches: number }> = [
  { dir: 'src', lines: 90, branches: 90 },
  { dir: 'src/wheel', lines: 95, branches: 95 },
  { dir: 'src/scheduler', lines: 90, branches: 90 },
  { dir: 'src/pollables', lines: 90, branches: 90 },
  { dir: 'src/wasi', lines: 90, branches: 90 },
  { dir: 'src/wasi3', lines: 90, branches: 90 },
  { dir: 'src/handler', lines: 90, branches: 90 },
  { dir: 'src/dropin', lines: 90, branches: 90 },
  { dir: 'src/runtime', lines: 90, branches: 90 },
  { dir: 'src/cli', lines: 90, branches: 90 },
  { dir: 'src/base', lines: 90, branches: 90 },
  { dir: 'src/clock', lines: 90, branches: 90 },
  { dir: 'src/thread', lines: 90, branches: 90 },
  { dir: 'src/timing', lines: 90, branches: 90 },
  { dir: 'src/component', lines: 90, branches: 90 },
  { dir: 'src/events', lines: 90, branches: 90 },
  { dir: 'src/manifest', lines: 90, branches: 90 },
  { dir: 'src/replay', lines: 90, branches: 90 },
  { dir: 'src/timeline', lines: 90, branches: 90 },
];

rmSync(join(root, 'coverage'), { recursive: true, force: true });
const pattern = process.argv[2] ?? '.*\\.test\\.ts$';
const run = spawnSync(
  'c8',
  // The excluded modules hold only types: Node strips them to nothing, so
  // they have no runtime lines to cover. c8's --check-coverage guards the total too.
  ['--all', '--include', 'src/**/*.ts', '--exclude', '**/*.d.ts', '--exclude', 'src/events/types.ts', '--exclude', 'src/wasi/jco-types.ts',
    '--exclude', 'src/timeline/model.ts',
    '--check-coverage', '--lines', '90', '--branches', '90',
    '--reporter', 'json-summary', '--reporter', 'text', '--report-dir', 'coverage',
    'uvu', 'test', pattern],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 },
);
process.stdout.write(run.stdout);
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(strip(run.stdout))?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(strip(run.stdout))?.[1] ?? 0);
const testsFailed = run.status !== 0 || total === 0 || passed !== total;

type Counts = { total: number; covered: number };
type FileSummary = { lines: Counts; branches: Counts };
const summary = JSON.parse(readFileSync(join(root, 'coverage', 'coverage-summary.json'), 'utf8')) as Record<string, FileSummary>;
const failures: string[] = [];
for (const gate of gates) {
  const sum = { lines: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 } };
  for (const [file, s] of Object.entries(summary)) {
    if (file === 'total') continue;
    const rel = relative(root, file).split(sep).join('/');
    if (!rel.startsWith(gate.dir + '/')) continue;
    for (const k of ['lines', 'branches'] as const) {
      sum[k].total += s[k].total;
      sum[k].covered += s[k].covered;
    }
  }
  if (sum.lines.total === 0) {
    failures.push(gate.dir);
    console.log(`coverage FAIL ${gate.dir.padEnd(14)} no covered source found`);
    continue;
  }
  const pct = (c: Counts) => (c.total === 0 ? 100 : (100 * c.covered) / c.total);
  const lines = pct(sum.lines), branches = pct(sum.branches);
  const ok = lines >= gate.lines && branches >= gate.branches;
  console.log(`coverage ${ok ? 'ok  ' : 'FAIL'} ${gate.dir.padEnd(14)} lines ${lines.toFixed(1)}% (gate ${gate.lines}%)  branches ${branches.toFixed(1)}% (gate ${gate.branches}%)`);
  if (!ok) failures.push(gate.dir);
}
// CI keeps only the tail of this output: repeat each failure (its first lines) here.
for (const block of strip(run.stdout).split(/\n(?=\s+FAIL )/).slice(1)) {
  console.log(block.split('\n').slice(0, 16).join('\n'));
}
console.log(`${passed} passed, ${total - passed} failed`);
if (testsFailed) {
  console.error(run.status !== 0 ? `tests failed (exit ${run.status})` : 'no tests ran');
  process.exit(1);
}
if (failures.length > 0) {
  console.error(`coverage gate failed for: ${failures.join(', ')}`);
  process.exit(1);
}
