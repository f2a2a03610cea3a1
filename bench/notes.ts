// The analysis appended to bench/RESULTS.md: the issue-5 targets at a glance,
// and for each missed one what bounds it and what was tried. The numbers come
// from this run (the targets the sections recorded); only the reasoning is fixed
// text, and a paragraph appears only when its target was missed in this run.
import type { Target } from './support.ts';

export { targetsTable, verdictNotes };

function targetsTable(targets: readonly Target[]): string {
  return [
    '## Issue 5 targets at a glance',
    '',
    'Every target judged in this run (the sections below hold the tables each verdict comes from).',
    '',
    '| target | measured | verdict |',
    '| --- | --- | --- |',
    ...targets.map((t) => `| ${t.what} | ${t.measured} | ${t.met ? 'meets' : 'misses'} |`),
    '',
  ].join('\n');
}

const WHY: Record<string, string> = {
  'now-off': `**\`now()\` ≤ 1.2 × the no-op import (recording off): missed, bounded by Node's clock read.**
Every configuration's \`now()\` costs about the same (see the line under the target
table in "Per-call overhead": the sync fallback, preview2-shim and the naive host
all land within a few ns of ours), and the clock read alone, timed in a plain JS
loop with no wasm and no jco glue, costs several no-op imports by itself. The CPU
profile puts most of the loop in Node's native \`hrtimeBigInt\` (\`uv_hrtime\`, a
\`clock_gettime\` call) and in the wasm-to-JS transition; none of our code is in its
top entries. With recording off our import *is* \`process.hrtime.bigint\` (no
wrapper); jco 1.11.2 adds one \`BigInt.asUintN\`. \`performance.now()\` is slower and
would need a BigInt conversion on top. Meeting 1.2 × would need a clock that is not
read per call (a cached reading), which would let a guest spin on \`now()\` forever:
not done.`,
  'now-on': `**\`now()\` ≤ 2 × the no-op import (recording on): missed, for the same reason.**
The clock read alone exceeds 2 × the no-op. Recording adds one small event object
and one array push per call (compare the two "ours" columns); hashing and JSON
happen only when a chain is written.`,
  'fleet-p99': `**p99 wake-up lateness ≤ 2 ms with 1 000 sleepers: missed in this run.**
The split table under the fleet CDF is the profile: deadlines round up to a 0.1 ms
tick (≤ 0.1 ms); the one timer is asked for the whole ms before a deadline and the rest is
waited out on the thread while the wait budget has credit (25 µs per woken guest, 1 % of
time, at most 1 ms); without credit Node's timer wakes ~0.2 ms past the whole ms it was
asked for; the guests due in one callback resume one after another, a few microtask steps
apart. A garbage collection inside the wake phase delays every guest due during it, for
every peer (compare the rounds: one round's p99 carries it, the median does not).`,
  'fleet-vs-naive': `**p50 and p99 lateness ≤ the naive host's at every fleet size: missed in this run.**
Each size that misses is named in the measured column with both peers' medians; the
rounds line under the CDF gives every round's p50 / p99. Both peers resume the same guests
on the same thread through the same admission slices, so what separates them is when
each one's timer lets a guest go: ours within µs while the wait budget has credit, and
within a slice from the guests' own calls; the naive host at Node's whole ms, between
slices. Past that, p99 at 5 000 and up is set by major garbage collections (20–100 ms,
growing with the number of suspended guests), which land on either peer; the median of
alternating rounds damps them but does not remove them. In the sharded rows, with more
shard processes than cores, ours does not wait on the thread, so its timer is Node's too.`,
  'pollable-bytes': `**≤ 32 B per pending pollable, wheel and tables summed: missed; each structure alone meets it.**
The wheel entry is 24 B (deadline f64, two links, generation, payload: see also
"memory per pending timer", which meets ≤ 32 B), and the pollable table adds its
own ≈ 24 B (generation, the wheel handle as f64, owner, two owner-list links, two
bits). Dropping them all frees them all (the last target row of that section).
Reaching 32 B summed needs one entry table shared by the wheel and the pollables
(deadline, slot links, generation, owner, owner links = 32 B): left for a later change.`,
};

const ALWAYS = `**A ready \`block\` under JSPI** costs a suspension (compare the JSPI and
sync-fallback columns of "Per-call overhead"). jco's JSPI wrapper is an \`async\`
function, so it always returns a Promise. Returning a plain value when the
pollable is ready was tried in an earlier change (rewriting the generated
wrappers) and measured no gain: V8 charges a \`WebAssembly.Suspending\` import the same whether it returns a
plain value or a Promise (the "JSPI floor" line in "Per-call overhead", raw wasm
with no jco glue, measured in this run). The patch was dropped; the cost is V8's.`;

function verdictNotes(targets: readonly Target[]): string {
  const missed = targets.filter((t) => !t.met);
  const paragraphs = missed.map((t) => WHY[t.id] ?? `**${t.what}: missed (${t.measured}).** No analysis is written for this target yet.`);
  return [
    '## Verdicts on the missed targets',
    '',
    missed.length === 0 ? 'Every target was met in this run.' : `Missed in this run: ${missed.length} of ${targets.length}.`,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    ALWAYS,
    '',
  ].join('\n');
}
