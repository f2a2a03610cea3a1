// The issue-14 rows of the fleet section: ours against the naive host in the
// same run. A lateness CDF (as percentiles) per fleet size, the split of our
// lateness into the steps the trace (fleet-trace.ts) sees, the trace's order
// and batch findings, and the per-size verdicts.
import type { FleetTrace } from './fleet-trace.ts';
import { percentile, type SleepRun } from './support.ts';

export { cdfRows, splitRow, traceFindings, beatsNaive, CDF_HEADER, SPLIT_HEADER, TRACE_FINDINGS };

const CDF_POINTS = [10, 25, 50, 75, 90, 99] as const;
const CDF_HEADER = [
  `| N | peer | ${CDF_POINTS.map((p) => `p${p}`).join(' | ')} | max | CPU ms |`,
  `| ---: | --- | ${CDF_POINTS.map(() => '---:').join(' | ')} | ---: | ---: |`,
];
const SPLIT_HEADER = [
  '| N | lateness p50 / p99 | deadline → its tick (round-up) | tick → expiry | expiry → guest resumed | expired by the timer / after the woken work / by a guest call | batches (largest) | resume order vs deadline order |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const ms = (ns: bigint): number => Number(ns) / 1e6;
const fmt = (x: number): string => (Number.isNaN(x) ? '—' : x.toFixed(2));
const q = (xs: number[]): string => {
  const s = sorted(xs);
  return `${fmt(percentile(s, 50))} / ${fmt(percentile(s, 99))}`;
};

function cdfRow(n: number, peer: string, r: SleepRun, cpuMs: number): string {
  const s = sorted(r.latenessMs);
  return `| ${n.toLocaleString('en-US')} | ${peer} | ${CDF_POINTS.map((p) => fmt(percentile(s, p))).join(' | ')} | ${fmt(s.at(-1) ?? Number.NaN)} | ${cpuMs.toFixed(0)} |`;
}

function cdfRows(n: number, ours: SleepRun, oursCpuMs: number, naive: SleepRun, naiveCpuMs: number): string[] {
  return [cdfRow(n, 'ours', ours, oursCpuMs), cdfRow(n, 'setTimeout per sleep', naive, naiveCpuMs)];
}

/** p50 and p99 of ours at or below the naive host's, in this run. */
function beatsNaive(ours: SleepRun, naive: SleepRun): { met: boolean; measured: string } {
  const [o, v] = [sorted(ours.latenessMs), sorted(naive.latenessMs)];
  const [o50, o99, v50, v99] = [percentile(o, 50), percentile(o, 99), percentile(v, 50), percentile(v, 99)];
  return { met: o50 <= v50 && o99 <= v99, measured: `${fmt(o50)} / ${fmt(o99)} vs ${fmt(v50)} / ${fmt(v99)} ms` };
}

interface OrderStats { inversions: number; maxDisplacement: number }

/** Resume order against deadline order: adjacent pairs out of order, and how far any wake-up moved. */
function order(t: FleetTrace): OrderStats {
  const w = t.wakes;
  const byDeadline = w.map((_, i) => i).sort((a, b) => Number(w[a].deadlineNs - w[b].deadlineNs) || a - b);
  const rank = new Array<number>(w.length);
  byDeadline.forEach((i, r) => { rank[i] = r; });
  const byResume = w.map((_, i) => i).sort((a, b) => Number(w[a].resumedNs - w[b].resumedNs) || rank[a] - rank[b]);
  let inversions = 0;
  let maxDisplacement = 0;
  byResume.forEach((i, r) => {
    maxDisplacement = Math.max(maxDisplacement, Math.abs(rank[i] - r));
    if (r > 0 && w[byResume[r - 1]].deadlineNs > w[i].deadlineNs) inversions++;
  });
  return { inversions, maxDisplacement };
}

function splitRow(n: number, t: FleetTrace): string {
  const w = t.wakes;
  const kinds = { timer: 0, 'after work': 0 };
  for (const x of w) if (x.batch >= 0) kinds[t.fires[x.batch].kind]++;
  const byGuest = w.filter((x) => x.batch < 0).length;
  const batches = t.fires.filter((f) => f.expired > 0);
  const largest = batches.reduce((m, f) => Math.max(m, f.expired), 0);
  const o = order(t);
  const inOrder = o.inversions === 0 ? 'deadline order' : `${o.inversions} adjacent inversions (max displacement ${o.maxDisplacement})`;
  return `| ${n.toLocaleString('en-US')} | ${q(t.run.latenessMs)} | ${q(w.map((x) => ms(x.tickNs - x.deadlineNs)))} | `
    + `${q(w.map((x) => ms(x.expiredNs - x.tickNs)))} | ${q(w.map((x) => ms(x.resumedNs - x.expiredNs)))} | `
    + `${[kinds.timer, kinds['after work'], byGuest].map((k) => k.toLocaleString('en-US')).join(' / ')} | ${batches.length} (${largest.toLocaleString('en-US')}) | ${inOrder} |`;
}

/** What the trace says about one size, in numbers: the start burst, the timer, the batches. */
function traceFindings(n: number, t: FleetTrace): string {
  const w = t.wakes;
  const turnMs = ms(t.burstEndNs - t.startNs);
  const starts = w.map((x) => ms(x.deadlineNs - t.durationNs - t.startNs));
  const lastStartMs = Math.max(...starts);
  const firstDeadlineMs = Math.min(...starts) + ms(t.durationNs);
  const beforeTurn = w.filter((x) => x.expiredNs < t.burstEndNs);
  const byGuest = w.filter((x) => x.batch < 0).length;
  const timerLate = w.filter((x) => x.batch >= 0 && t.fires[x.batch].kind === 'timer').map((x) => ms(x.fireNs - x.tickNs));
  const timerFires = t.fires.filter((f) => f.kind === 'timer');
  // Per timer batch: its first guest's resume after the batch's first expiry, and the spacing of resumes.
  const batches = new Map<number, bigint[]>();
  for (const x of w) if (x.batch >= 0) (batches.get(x.batch) ?? batches.set(x.batch, []).get(x.batch) ?? []).push(x.resumedNs - x.expiredNs);
  const firstResume = [...batches.values()].map((xs) => ms(xs.reduce((a, b) => (a < b ? a : b))));
  const resumes = sorted(w.map((x) => Number(x.resumedNs))).map((x, i, all) => (i === 0 ? Number.NaN : (x - all[i - 1]) / 1e3)).slice(1);
  const empty = t.fires.filter((f) => f.kind === 'timer' && f.expired === 0).length;
  return `- ${n.toLocaleString('en-US')}: the inits ran to their first suspension over ${lastStartMs.toFixed(0)} ms and the loop first turned at ${turnMs.toFixed(0)} ms; `
    + `the first deadline came at ${firstDeadlineMs.toFixed(0)} ms, so ${beforeTurn.length.toLocaleString('en-US')} of ${w.length.toLocaleString('en-US')} wake-ups were expired before that turn `
    + `(no timer fires before it; ${byGuest.toLocaleString('en-US')} in all were expired by the guests' own host calls). `
    + `The one timer was armed ${t.arms.length}× and fired ${timerFires.length}× (${empty} found nothing due); past its tick it fired p50 / p99 ${q(timerLate)} ms late; `
    + `${t.fires.length - timerFires.length} batches fell due while the previous batch's guests ran and were expired right after them. `
    + `A batch's first guest resumed ${q(firstResume)} ms (p50 / p99 over ${firstResume.length} batches) after its expiry; consecutive resumes were ${fmt(percentile(sorted(resumes), 50))} µs apart (median).`;
}

/** The trace's findings (issue 14): what each candidate cause came to, and what changed. */
const TRACE_FINDINGS = `**What the trace ruled in and out.**
- *Wake order within a batch*: ruled out. Slot lists are FIFO (append at the tail, take from
  the head) and a cascade re-files a slot's entries in list order, so a batch expires in
  deadline order by tick and in subscribe order within a tick, cascaded entries included.
  The last column of the split shows the guests resume in deadline order
  (test/scheduler/wake-order.test.ts pins the order).
- *Work per wake-up before the next actor resumes*: the work is µs per wake-up, but the way it
  was chained was ruled in. A woken owner resolved a promise; its waiting call ran one microtask
  later, \`block\` added a \`.then\`, jco's glue awaited that, and JSPI resumed the guest: four
  hops, and a timer batch wakes every owner before any hop runs, so the first guest of a batch
  of B waited for ~3 × B hops of the others. Now the waiter re-scans synchronously inside the
  expiry and resolves its call's own promise, which \`block\` returns as is: two hops (jco's await,
  the JSPI resume). Fleet bookkeeping (gate, mailbox, drops) runs after the guest's reading.
- *The timer armed late or too seldom*: ruled in at every size, three ways. (1) Node 26
  truncates a fractional delay to whole ms counted from the loop's floored ms, so the one timer
  fired before the tick it was armed for, found nothing due and waited another whole ms; and
  every deadline had first been rounded up to a 1 ms tick that does not line up with Node's:
  two roundings, ~1 ms on average, where the naive host pays Node's one. Now the delay is
  rounded up to whole ms and real-time ticks are 0.1 ms. (2) The timer was re-armed inside
  its callback, before the woken guests ran; Node counts the delay from the loop time it read
  last, so every wait grew by the batch's whole drain. Now it is armed once that work is done
  (setImmediate). (3) When the next deadline had passed during that drain, the re-arm asked
  for 0 ms, which Node runs a whole ms later; now that batch is expired right there, in its
  own macrotask (the "after the woken work" count), so batches are sliced by loop turns and
  I/O runs between them.
- *The start phase holding the loop*: ruled in at 5 000 and 10 000 (each size's line: most
  deadlines fall due while the inits still run, in one microtask drain where no timer of any
  peer can fire). Now, once the earliest deadline is 10 ms overdue (the loop is held, not just
  busy with a batch), every guest-path call (subscribe, scan, ready, drop) expires what is
  due, and keeps doing so as soon as anything falls due until the loop turns, so those
  guests queue behind the remaining inits rather than behind the loop's next turn. Doing that at once, inside ordinary batch drains, was tried and measured worse at
  1 000 (p50 ~9 ms): a guest woken from inside a drain queues behind every hop already queued,
  and each resumed guest's drop pulls the next one into the same drain, which then never ends.
- *Microtask against macrotask interleaving*: what remains. Node runs the naive host's timer
  callbacks one at a time and drains the microtasks after each, so each sleeper resumes right
  after its own timer; ours expires a batch per callback and its guests resume in the drain
  after it, in deadline order, two hops each.`;
