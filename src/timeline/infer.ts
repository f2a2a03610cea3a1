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
// Events before the first clock value take the first one. See docs in README.

import type { ActorChain, ChainEvent, Outcome } from './calls.ts';

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

export function inferActor(chain: ActorChain): InferredActor {
  const { events } = chain;
  const timesNs: Array<bigint | null> = [];
  const sources: TimeSource[] = [];
  const bars: BarSpan[] = [];
  const wakes: Wake[] = [];
  const live = new Map<number, BarSpan>();
  let outcome: Outcome | null = null;
  let message = '';
  let t: bigint | null = null;
  const endBar = (bar: BarSpan | undefined, by: BarEnd, event: ChainEvent, at: bigint | null, latenessNs: bigint | null = null): void => {
    if (bar === undefined || bar.endedBy !== 'open') return;
    Object.assign(bar, { endedBy: by, end: event, endNs: at, latenessNs });
  };
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const call = event.call;
    const before = t;
    let source: TimeSource = 'carried';
    switch (call.kind) {
      case 'now':
        t = max(t, call.instantNs);
        source = 'reading';
        break;
      case 'subscribe': {
        const next = events[i + 1];
        const clamp = next?.call.kind === 'clamp' ? next : null;
        const { deadlineNs, durationNs, whenNs } = call;
        const applied = clamp?.call.kind === 'clamp'
          ? clamp.call.appliedNs
          : durationNs ?? (deadlineNs !== whenNs ? 0n : null);
        if (applied !== null) {
          t = max(t, deadlineNs - applied);
          source = 'deadline';
        }
        const requested = clamp?.call.kind === 'clamp' ? clamp.call.requestedNs : durationNs ?? (whenNs !== null && t !== null ? whenNs - t : null);
        const reused = live.get(call.pollable); // a slot reused without a recorded drop ends its old bar here
        if (reused !== undefined && reused.endedBy === 'open') reused.endNs ??= t;
        // Theater's deadline for an instant is `when` itself, which may be past: such a pollable is due when created.
        const due = t !== null && deadlineNs < t ? t : deadlineNs;
        const bar: BarSpan = {
          pollable: call.pollable, subscribe: event, clamp, startNs: t, deadlineNs: due, endNs: null, endedBy: 'open', end: null,
          requestedNs: requested, appliedNs: applied ?? (t === null ? null : deadlineNs - t), latenessNs: null,
        };
        live.set(call.pollable, bar);
        bars.push(bar);
        break;
      }
      case 'ready': {
        const bar = live.get(call.pollable);
        if (call.ready && bar !== undefined) {
          const moved = max(t, bar.deadlineNs);
          if (moved !== t) source = 'ready';
          t = moved;
          endBar(bar, 'ready', event, t);
        }
        break;
      }
      case 'block': {
        const bar = live.get(call.pollable);
        const deadline = bar?.deadlineNs ?? null;
        const end = max(plus(t, call.waitedNs), deadline);
        source = call.waitedNs === null ? 'deadline' : 'waited';
        t = max(t, end);
        const waited = call.waitedNs === null ? deadline !== null && (before === null || deadline > before) : call.waitedNs > 0n;
        const lateness = call.waitedNs !== null && deadline !== null && t !== null ? t - deadline : null;
        if (waited && t !== null) wakes.push({ event, atNs: t, latenessNs: lateness });
        endBar(bar, 'block', event, t, lateness);
        break;
      }
      case 'poll': {
        let end = plus(t, call.waitedNs);
        let ready: BarSpan[] | null;
        if (call.pollables !== null) {
          const { pollables } = call;
          ready = call.indices.map((index) => live.get(pollables[index] ?? -1)).filter((b) => b !== undefined);
          for (const bar of ready) end = max(end, bar.deadlineNs);
        } else {
          const candidates = end === null ? [] : [...live.values()].filter((b) => b.deadlineNs <= (end as bigint));
          ready = candidates.length === call.indices.length ? candidates : null;
        }
        source = 'waited';
        t = max(t, end);
        const firstDeadline = ready === null || ready.length === 0 ? null : ready.reduce((m, b) => (b.deadlineNs < m ? b.deadlineNs : m), ready[0].deadlineNs);
        const waited = call.waitedNs === null ? firstDeadline !== null && (before === null || firstDeadline > before) : call.waitedNs > 0n;
        const lateness = call.waitedNs !== null && firstDeadline !== null && t !== null ? t - firstDeadline : null;
        if (waited && t !== null) wakes.push({ event, atNs: t, latenessNs: lateness });
        for (const bar of ready ?? []) endBar(bar, 'poll', event, t, call.waitedNs !== null && t !== null ? t - bar.deadlineNs : null);
        break;
      }
      case 'drop':
        endBar(live.get(call.pollable), 'drop', event, t);
        live.delete(call.pollable);
        break;
      case 'end':
        outcome = call.outcome;
        message = call.message;
        break;
      default:
        break;
    }
    timesNs.push(t);
    sources.push(t === null ? 'none' : source);
  }
  // Events before the first clock value happened no later than it.
  const first = timesNs.find((ns) => ns !== null) ?? null;
  if (first !== null) {
    for (let i = 0; i < timesNs.length && timesNs[i] === null; i++) {
      timesNs[i] = first;
      sources[i] = 'backfilled';
    }
  }
  for (const bar of bars) {
    bar.startNs ??= first;
    if (bar.endedBy === 'open') bar.endNs ??= t;
    bar.endNs ??= bar.startNs;
  }
  return { chain, timesNs, sources, bars, wakes, outcome, message };
}
