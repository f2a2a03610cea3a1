// Issue 20 repros the fairness e2e does not run: four bulk-memory guests at
// once, and a loop over a 150 000-statement leaf (the issue saw sleepers
// 168 ms and 1.3-3.2 s late). Twenty sleepers beside them must wake within
// 10 ms of their lateness alone (best of five, as test/e2e/fairness.test.ts).
// Each run is a child process (test/support/hostile-child.ts) started with
// --liftoff-only: V8 otherwise optimises the long leaf in a background thread
// for ~14 s of CPU, and a process waits for that job before it exits (see
// docs/LIMITS.md), which would slow every later test in this one.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const CHILD = join(resolve(import.meta.dirname, '..'), 'support', 'hostile-child.ts');
const HOSTILE_LATE_MS = 10;
const hex = (mode: string, ...words: number[]): string =>
  Buffer.concat([Buffer.from(mode), ...words.map((w) => { const b = Buffer.alloc(4); b.writeUInt32LE(w); return b; })]).toString('hex');

interface Run { floor: number; late: number; ms: number; statuses: string[] }

function bestOfFive(actor: string, count: number, state: string): { best: Run; seen: string } {
  const runs: Run[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = spawnSync(process.execPath, ['--liftoff-only', CHILD, actor, String(count), state], { encoding: 'utf8', timeout: 120_000 });
    assert.is(r.status, 0, r.stderr);
    const run = JSON.parse(r.stdout) as Run;
    runs.push(run);
    if (run.late - run.floor <= HOSTILE_LATE_MS) break;
  }
  const best = runs.reduce((a, b) => (b.late - b.floor < a.late - a.floor ? b : a));
  return { best, seen: runs.map((r) => `${r.late.toFixed(1)} ms (alone ${r.floor.toFixed(1)} ms) beside ${r.ms.toFixed(0)} ms`).join(', ') };
}

for (const [what, actor, count, state] of [
  ['four guests each filling 256 MiB x 10', 'hog', 4, hex('F', 256 << 20, 10)],
  ['a loop calling a 150 000-statement leaf 6 000 times', 'long-leaf', 1, '70170000'],
] as const) {
  test(`${what}: sleepers beside wake <= ${HOSTILE_LATE_MS} ms later than alone`, () => {
    const { best, seen } = bestOfFive(actor, count, state);
    assert.equal(best.statuses, Array(count).fill('ok'));
    assert.ok(best.ms >= 50, `the guests ran long enough to matter (${best.ms.toFixed(0)} ms)`);
    assert.ok(best.late - best.floor <= HOSTILE_LATE_MS, `${what}: the sleepers woke late: ${seen}`);
  });
}

test.run();
