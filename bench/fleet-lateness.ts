// The issue-14 rows of the fleet section: ours against the naive host in the
// same run. A lateness CDF (as percentiles) per fleet size, the split of our
// lateness into the steps the trace (fleet-trace.ts) sees, the trace's order
// and batch findings, and the per-size verdicts.
import type { FleetTrace } from './fleet-trace.ts';
import { percentile } from './support.ts';

export { cdfRows, splitRow, traceFindings, beatsNaive, CDF_HEADER, SPLIT_HEADER, TRACE_FINDINGS, type LatenessRun };

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

function cdfRow(n: string, peer: string, lateness: number[], cpuMs: number): string {
  const s = sorted(lateness);
  return `| ${n} | ${peer} | ${CDF_POINTS.map((p) => fmt(percentile(s, p))).join(' | ')} | ${fmt(s.at(-1) ?? Number.NaN)} | ${cpuMs.toFixed(0)} |`;
}

const median = (xs: number[]): number => percentile(sorted(xs), 50);
const perRun = (runs: readonly LatenessRun[], p: number): number[] => runs.map((r) => percentile(sorted(r.latenessMs), p));

/** A run as the verdict sees it: every guest's lateness, and the CPU of its sleep phase. */
interface LatenessRun { latenessMs: number[]; cpuMs: number; gcCount: number; gcMaxMs: number }

/** Both peers' CDF over every round pooled (CPU: the median round's). */
function cdfRows(n: string, ours: readonly LatenessRun[], naive: readonly LatenessRun[]): string[] {
  return [
    cdfRow(n, 'ours', ours.flatMap((r) => r.latenessMs), median(ours.map((r) => r.cpuMs))),
    cdfRow(n, 'setTimeout per sleep', naive.flatMap((r) => r.latenessMs), median(naive.map((r) => r.cpuMs))),
  ];
}

/**
 * p50 and p99 of ours at or below the naive host's, each peer's taken as the median over
 * the rounds (one garbage collection landing in one run moves a single run's p99 by tens
 * of ms at 5 000 and up; the median of alternating rounds does not follow it).
 */
const gcs = (runs: readonly LatenessRun[]): string => runs.map((r) => `${r.gcCount}, ${r.gcMaxMs.toFixed(1)}`).join(' · ');

function beatsNaive(ours: readonly LatenessRun[], naive: readonly LatenessRun[]): { met: boolean; measured: string; rounds: string } {
  const [o50, o99, v50, v99] = [median(perRun(ours, 50)), median(perRun(ours, 99)), median(perRun(naive, 50)), median(perRun(naive, 99))];
  const each = (runs: readonly LatenessRun[]): string => runs.map((r) => { const s = sorted(r.latenessMs); return `${fmt(percentile(s, 50))} / ${fmt(percentile(s, 99))}`; }).join(', ');
  return {
    met: o50 <= v50 && o99 <= v99,
    measured: `${fmt(o50)} / ${fmt(o99)} vs ${fmt(v50)} / ${fmt(v99)} ms`,
    rounds: `ours ${each(ours)}; setTimeout per sleep ${each(naive)}; GC pauses in the sleep phase (count, longest ms) per round: ours ${gcs(ours)}; setTimeout per sleep ${gcs(naive)}`,
  };
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
  const starts = w.map((x) => ms(x.deadlineNs - t.durationNs - t.startNs));
  const lastStartMs = Math.max(...starts);
  const firstDeadlineMs = Math.min(...starts) + ms(t.durationNs);
  const duringStart = w.filter((x) => ms(x.deadlineNs - t.startNs) < lastStartMs).length;
  const byGuest = w.filter((x) => x.batch < 0).length;
  const timerLate = w.filter((x) => x.batch >= 0 && t.fires[x.batch].kind === 'timer').map((x) => ms(x.fireNs - x.tickNs));
  const timerFires = t.fires.filter((f) => f.kind === 'timer');
  // Per timer batch: its first guest's resume after the batch's first expiry, and the spacing of resumes.
  const batches = new Map<number, bigint[]>();
  for (const x of w) if (x.batch >= 0) (batches.get(x.batch) ?? batches.set(x.batch, []).get(x.batch) ?? []).push(x.resumedNs - x.expiredNs);
  const firstResume = [...batches.values()].map((xs) => ms(xs.reduce((a, b) => (a < b ? a : b))));
  const resumes = sorted(w.map((x) => Number(x.resumedNs))).map((x, i, all) => (i === 0 ? Number.NaN : (x - all[i - 1]) / 1e3)).slice(1);
  const empty = t.fires.filter((f) => f.kind === 'timer' && f.expired === 0).length;
  const waited = t.waits.reduce((sum, x) => sum + x, 0);
  return `- ${n.toLocaleString('en-US')}: the inits were admitted over ${lastStartMs.toFixed(0)} ms, a slice per loop turn; the first deadline came at ${firstDeadlineMs.toFixed(0)} ms, `
    + `so ${duringStart.toLocaleString('en-US')} of ${w.length.toLocaleString('en-US')} deadlines fell while inits were still being admitted; `
    + `${byGuest.toLocaleString('en-US')} wake-ups in all were expired by the guests' own host calls (the loop held 1 ms past a deadline). `
    + `The one timer was armed ${t.arms.length}× and fired ${timerFires.length}× (${empty} found nothing due); its callback started p50 / p99 ${q(timerLate)} ms after the tick `
    + `(negative: asked for the whole ms before, the rest waited out on the thread); `
    + `${t.fires.length - timerFires.length} batches were expired right after the previous batch's work. `
    + `The scheduler waited on the thread ${t.waits.length.toLocaleString('en-US')}× for ${waited.toFixed(1)} ms in all. `
    + `A batch's first guest resumed ${q(firstResume)} ms (p50 / p99 over ${firstResume.length} batches) after its expiry; consecutive resumes were ${fmt(percentile(sorted(resumes), 50))} µs apart (median).`;
}

/** The trace's findings (issue 14): what each candidate cause came to, and what changed. */
const TRACE_FINDINGS = `**What the trace ruled in and out.**
- *Wake order within a batch*: ruled out. Slot lists are FIFO (append at the tail, take from
  the head) and a cascade re-files a slot's entries in list order, so a batch expires in
  deadline order by tick and in subscribe order within a tick, cascaded entries included.
  The last column of the split shows the guests resume in deadline order
  (test/scheduler/wake-order.test.ts pins the order).
- *Work per wake-up before the next actor resumes*: the work is µs per wake-up; how it was
  chained was ruled in, twice. First, a woken call took four microtask hops to resume its guest;
  the waiter now re-scans inside the expiry, so two hops remain (jco's await, the JSPI resume).
  A batch still resolves every woken call at once, so each guest's second hop queues behind
  the first hop of every other guest in the batch (the head of a 30-guest batch resumed
  0.2–0.4 ms after its expiry). Releasing them one per microtask was built and measured: in
  the fleet rows it changed nothing beyond noise once batches were small (the waits below),
  and through the CLI with recording (5 000 × 1 s, 6–8 runs each) the median run's p50 was
  ~9 ms with it and 0.5–3 ms without (single runs range from 0.1 to 57 ms either way: one
  major collection in the wake phase decides a run), so it was dropped. With the waits below a 1 000-guest wake phase runs in
  batches of a few guests, and the first of a batch resumes ~0.02 ms after its expiry.
- *The timer armed late or too seldom*: ruled in at every size. Earlier changes: 0.1 ms ticks
  with whole-ms delays rounded up, the timer armed only after the woken work (Node counts a
  delay from the loop time it read last), and a batch that fell due during that work expired
  right there. What remained: Node's timer wakes whole ms after it is asked, plus ~0.2 ms,
  whatever the phase of the request (measured here: setTimeout(d) fired d + 0.17–0.20 ms after
  the call in every quarter of the ms), so a deadline 0.05 ms away was met 1.2 ms late and a
  fleet whose deadlines fall every 40 µs woke in 1.2 ms lumps of ~30 guests. Now the scheduler
  asks Node for the whole ms before a deadline and waits out the rest on the thread (a futex
  sleep, then the clock for the last 0.12 ms), and after a batch it waits on the thread for a
  deadline due within its credit rather than arm a timer for it. The credit (src/scheduler/
  wait-budget.ts) is 25 µs per woken guest plus 1 % of the time that passes, at most 1 ms; no
  wait happens while inits wait to enter, nor in shard processes that outnumber the cores.
  Tried and dropped: turning the loop with setImmediate until the deadline (each turn allocates,
  and with 1 000 suspended guests the extra collections put p99 at ~7 ms); a 10 µs credit per
  guest (too little for the 1 000 row: p99 back at ~1.3 ms); no ration at all (p99 0.16 ms at
  1 000, but a wait as long as every gap).
- *The start phase holding the loop*: ruled in at 5 000 and 10 000. Every init ran to its first
  suspension in one microtask drain (~50 µs each, so 250–800 ms), most deadlines fell inside it,
  and no peer's timer could fire; expiring them from guest calls only queued the woken guests
  behind the remaining inits. Now calls into guests are admitted by slices
  (src/thread/admission.ts): while the thread's 5 ms slice lasts an init enters at once; past
  it, inits wait in one FIFO queue and enter from the next loop turn, one at a time, each once
  the previous guest has given the thread back, so what it woke runs before the next enters.
  Within a slice, guest calls expire what is 1 ms overdue (was 10 ms). Both peers go through the
  same runtime, so the naive host gains the loop turns too: its timers fire between slices,
  while ours also wakes guests inside a slice.
- *Microtask against macrotask interleaving*: Node drains the microtasks after each of the
  naive host's timers; ours expires a batch per callback. With the waits on the thread the
  batches are a few guests each at 1 000 (the batches column of the split), so little is left.
- *What remains at 5 000 and up: garbage collection.* p99 there is set by major GC pauses
  (20–100 ms each in \`--trace-gc\`; the atomic marking pause grows with the number of
  suspended guests) that stop both peers alike. What falls due during a pause is resumed by
  ours at the first guest call or timer after it.`;
