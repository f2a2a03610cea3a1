// One actor's lane in the model: its inferred events as marks (a subscribe
// is drawn as its bar instead), its pollables as bars stacked on rows so that
// overlapping ones stay apart, and times relative to the page's origin.

import type { ChainEvent } from './calls.ts';
import type { InferredActor } from './infer.ts';
import type { Bar, EventRef, Lane, Mark, MarkKind } from './model.ts';

const MARK_OF: Record<string, MarkKind | undefined> = { now: 'clock', wall: 'clock', resolution: 'clock', clamp: 'clamp', poll: 'poll', ready: 'ready', block: 'block', drop: 'drop', other: 'other' };

export function lane(actor: InferredActor, originNs: bigint): Lane {
  const rel = (ns: bigint | null): number => Number((ns ?? originNs) - originNs);
  const refAt = (i: number): EventRef => {
    const e = actor.chain.events[i];
    return { index: e.index, line: e.line, type: e.type, fields: e.fields, tNs: rel(actor.timesNs[i]), source: actor.sources[i] };
  };
  const position = new Map<ChainEvent, number>(actor.chain.events.map((e, i) => [e, i]));
  const ref = (e: ChainEvent | null): EventRef | null => (e === null ? null : refAt(position.get(e) ?? 0));
  const marks: Mark[] = [];
  actor.chain.events.forEach((e, i) => {
    const { call } = e;
    if (call.kind === 'subscribe') return; // drawn as its bar
    const kind = call.kind === 'end' ? call.outcome : MARK_OF[call.kind] ?? 'other';
    const note = call.kind === 'poll' ? `[${call.indices.join(',')}]` : call.kind === 'clamp' ? call.reason : call.kind === 'end' ? call.message : '';
    const event = refAt(i);
    if (kind === 'diverged') event.tNs = refAt(divergedAt(actor, i)).tNs;
    marks.push({ kind, event, note });
  });
  const rowEnds: number[] = [];
  const bars: Bar[] = actor.bars.map((b) => {
    const startNs = rel(b.startNs);
    const endNs = rel(b.endNs);
    let row = rowEnds.findIndex((end) => end <= startNs);
    if (row === -1) row = rowEnds.push(endNs) - 1;
    else rowEnds[row] = endNs;
    return {
      pollable: b.pollable, row, startNs, endNs,
      deadlineNs: rel(b.deadlineNs),
      requestedNs: b.requestedNs === null ? null : Number(b.requestedNs),
      appliedNs: b.appliedNs === null ? null : Number(b.appliedNs),
      clampReason: b.clamp?.call.kind === 'clamp' ? b.clamp.call.reason : null,
      endedBy: b.endedBy,
      latenessNs: b.latenessNs === null ? null : Number(b.latenessNs),
      subscribe: ref(b.subscribe) as EventRef,
      end: ref(b.end),
    };
  });
  return {
    label: actor.chain.label, instance: actor.chain.instance, outcome: actor.outcome, message: actor.message,
    rows: Math.max(1, rowEnds.length), events: actor.chain.events.length, bars, marks, maxLatenessNs: maxLateness(actor),
  };
}

/** A replay's ChainEnd says where it diverged ("… at event N …"): the mark goes to that event's time when the chain holds it. */
function divergedAt(actor: InferredActor, endPosition: number): number {
  const end = actor.chain.events[endPosition].call;
  const index = end.kind === 'end' ? /\bat event (\d+)/.exec(end.message)?.[1] : undefined;
  const position = index === undefined ? -1 : actor.chain.events.findIndex((e) => e.index === Number(index));
  return position === -1 ? endPosition : position;
}

export function maxLateness(actor: InferredActor): number | null {
  let worst: bigint | null = null;
  for (const w of actor.wakes) if (w.latenessNs !== null && (worst === null || w.latenessNs > worst)) worst = w.latenessNs;
  return worst === null ? null : Number(worst);
}
