// When did each event happen? Chains carry no timestamps, only the clock
// values the guest saw, so each event's time is inferred from them in chain
// order, as a lower bound that never goes backwards:
//   monotonic now        the reading itself
//   subscribe            deadline - applied delay (the duration, or the clamp's
//                        applied value); subscribe-instant with no clamp and
//                        deadline = when gives no time
//   block / poll         start (the time so far) + `waited`, and at least the
//                        deadline of what came back ready (never early)
//   ready() = true       at least that pollable's deadline
//   anything else        the time of the event before it
// Events before the first clock value take the first one. See docs/TIMELINE.md.

import type { ActorChain, Call, ChainEvent, Outcome } from './calls.ts';

export type TimeSource = 'reading' | 'deadline' | 'waited' | 'ready' | 'carried' | 'backfilled' | 'none';
export type BarEnd = 'ready' | 'block' | 'poll' | 'drop' | 'open';

export interface BarSpan {
  pollable: number;
  subscribe: ChainEvent;
  clamp: ChainEvent | null;
  startNs: bigint | null;
  deadlineNs: bigint;
  endNs: bigint | null;
  endedBy: BarEnd;
  end: ChainEvent | null;
  requestedNs: bigint | null;
  appliedNs: bigint | null;
  /** end - deadline when a block or poll woke on it. */
  latenessNs: bigint | null;
}

export interface Wake {
  event: ChainEvent;
  atNs: bigint;
  /** null when the format records no waited time, or the poll's ready pollables cannot be told apart. */
  latenessNs: bigint | null;
}

export interface InferredActor {
  chain: ActorChain;
  timesNs: Array<bigint | null>;
  sources: TimeSource[];
  bars: BarSpan[];
  wakes: Wake[];
  outcome: Outcome | null;
  message: string;
}

const max = (a: bigint | null, b: bigint | null): bigint | null => (a === null ? b : b === null || a >= b ? a : b);
const plus = (a: bigint | null, b: bigint | null): bigint | null => (a === null || b === null ? null : a + b);

type CallOf<K extends Call['kind']> = Extract<Call, { kind: K }>;

/** What the walk through one chain has seen so far; `t` is the time inferred up to here. */
interface Walk {
  t: bigint | null;
  /** The bar of each pollable handle, the latest subscribe's. */
  live: Map<number, BarSpan>;
  bars: BarSpan[];
  wakes: Wake[];
  outcome: Outcome | null;
  message: string;
}

export function inferActor(chain: ActorChain): InferredActor {
  const { events } = chain;
  const walk: Walk = { t: null, live: new Map(), bars: [], wakes: [], outcome: null, message: '' };
  const timesNs: Array<bigint | null> = [];
  const sources: TimeSource[] = [];
  for (let i = 0; i < events.length; i++) {
    const source = step(walk, events[i], events[i + 1]);
    timesNs.push(walk.t);
    sources.push(walk.t === null ? 'none' : source);
  }
  const first = backfill(timesNs, sources);
  for (const bar of walk.bars) {
    bar.startNs ??= first;
    if (bar.endedBy === 'open') bar.endNs ??= walk.t;
    bar.endNs ??= bar.startNs;
  }
  const { bars, wakes, outcome, message } = walk;
  return { chain, timesNs, sources, bars, wakes, outcome, message };
}

/** Moves the walk past one event; returns where the event's time came from. */
function step(walk: Walk, event: ChainEvent, next: ChainEvent | undefined): TimeSource {
  const call = event.call;
  switch (call.kind) {
    case 'now':
      walk.t = max(walk.t, call.instantNs);
      return 'reading';
    case 'subscribe': return subscribe(walk, event, call, next);
    case 'ready': return ready(walk, event, call);
    case 'block': return block(walk, event, call);
    case 'poll': return poll(walk, event, call);
    case 'drop':
      endBar(walk.live.get(call.pollable), 'drop', event, walk.t);
      walk.live.delete(call.pollable);
      return 'carried';
    case 'end':
      walk.outcome = call.outcome;
      walk.message = call.message;
      return 'carried';
    default:
      return 'carried';
  }
}

/** Events before the first clock value happened no later than it; returns that value. */
function backfill(timesNs: Array<bigint | null>, sources: TimeSource[]): bigint | null {
  const first = timesNs.find((ns) => ns !== null) ?? null;
  if (first !== null) {
    for (let i = 0; i < timesNs.length && timesNs[i] === null; i++) {
      timesNs[i] = first;
      sources[i] = 'backfilled';
    }
  }
  return first;
}

function endBar(bar: BarSpan | undefined, by: BarEnd, event: ChainEvent, at: bigint | null, latenessNs: bigint | null = null): void {
  if (bar === undefined || bar.endedBy !== 'open') return;
  Object.assign(bar, { endedBy: by, end: event, endNs: at, latenessNs });
}

function subscribe(walk: Walk, event: ChainEvent, call: CallOf<'subscribe'>, next: ChainEvent | undefined): TimeSource {
  let source: TimeSource = 'carried';
  const clamp = next?.call.kind === 'clamp' ? next : null;
  const { deadlineNs, durationNs, whenNs } = call;
  const applied = clamp?.call.kind === 'clamp'
    ? clamp.call.appliedNs
    : durationNs ?? (deadlineNs !== whenNs ? 0n : null);
  if (applied !== null) {
    walk.t = max(walk.t, deadlineNs - applied);
    source = 'deadline';
  }
  const t = walk.t;
  const requested = clamp?.call.kind === 'clamp' ? clamp.call.requestedNs : durationNs ?? (whenNs !== null && t !== null ? whenNs - t : null);
  const reused = walk.live.get(call.pollable); // a slot reused without a recorded drop ends its old bar here
  if (reused !== undefined && reused.endedBy === 'open') reused.endNs ??= t;
  // Theater's deadline for an instant is `when` itself, which may be past: such a pollable is due when created.
  const due = t !== null && deadlineNs < t ? t : deadlineNs;
  const bar: BarSpan = {
    pollable: call.pollable, subscribe: event, clamp, startNs: t, deadlineNs: due, endNs: null, endedBy: 'open', end: null,
    requestedNs: requested, appliedNs: applied ?? (t === null ? null : deadlineNs - t), latenessNs: null,
  };
  walk.live.set(call.pollable, bar);
  walk.bars.push(bar);
  return source;
}

function ready(walk: Walk, event: ChainEvent, call: CallOf<'ready'>): TimeSource {
  let source: TimeSource = 'carried';
  const bar = walk.live.get(call.pollable);
  if (call.ready && bar !== undefined) {
    const moved = max(walk.t, bar.deadlineNs);
    if (moved !== walk.t) source = 'ready';
    walk.t = moved;
    endBar(bar, 'ready', event, walk.t);
  }
  return source;
}

function block(walk: Walk, event: ChainEvent, call: CallOf<'block'>): TimeSource {
  const before = walk.t;
  const bar = walk.live.get(call.pollable);
  const deadline = bar?.deadlineNs ?? null;
  const end = max(plus(before, call.waitedNs), deadline);
  const t = max(before, end);
  walk.t = t;
  const waited = call.waitedNs === null ? deadline !== null && (before === null || deadline > before) : call.waitedNs > 0n;
  const lateness = call.waitedNs !== null && deadline !== null && t !== null ? t - deadline : null;
  if (waited && t !== null) walk.wakes.push({ event, atNs: t, latenessNs: lateness });
  endBar(bar, 'block', event, t, lateness);
  return call.waitedNs === null ? 'deadline' : 'waited';
}

function poll(walk: Walk, event: ChainEvent, call: CallOf<'poll'>): TimeSource {
  const before = walk.t;
  let end = plus(before, call.waitedNs);
  let ready: BarSpan[] | null;
  if (call.pollables !== null) {
    const { pollables } = call;
    ready = call.indices.map((index) => walk.live.get(pollables[index] ?? -1)).filter((b) => b !== undefined);
    for (const bar of ready) end = max(end, bar.deadlineNs);
  } else {
    const candidates = end === null ? [] : [...walk.live.values()].filter((b) => b.deadlineNs <= (end as bigint));
    ready = candidates.length === call.indices.length ? candidates : null;
  }
  const t = max(before, end);
  walk.t = t;
  const firstDeadline = ready === null || ready.length === 0 ? null : ready.reduce((m, b) => (b.deadlineNs < m ? b.deadlineNs : m), ready[0].deadlineNs);
  const waited = call.waitedNs === null ? firstDeadline !== null && (before === null || firstDeadline > before) : call.waitedNs > 0n;
  const lateness = call.waitedNs !== null && firstDeadline !== null && t !== null ? t - firstDeadline : null;
  if (waited && t !== null) walk.wakes.push({ event, atNs: t, latenessNs: lateness });
  for (const bar of ready ?? []) endBar(bar, 'poll', event, t, call.waitedNs !== null && t !== null ? t - bar.deadlineNs : null);
  return 'waited';
}
