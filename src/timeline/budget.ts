// A drawing budget, so a long chain still opens quickly: a page draws at most
// MAX_DRAWN marks and bars. Over budget, whole kinds of routine marks go first
// (clock reads, ready checks, drops, other events, then block returns and
// polls); then the bars that woke least late. Clamps and run ends (traps,
// errors, divergence) are always drawn. The page says what was left out.

import type { Lane, MarkKind } from './model.ts';

export const MAX_DRAWN = 10_000;

const DROP_ORDER: readonly MarkKind[] = ['clock', 'ready', 'drop', 'other', 'block', 'poll'];

export interface Omitted {
  what: string;
  count: number;
}

export function applyBudget(lanes: Lane[], maxDrawn = MAX_DRAWN): Omitted[] {
  const drawn = (): number => lanes.reduce((n, l) => n + l.bars.length + l.marks.length, 0);
  const omitted: Omitted[] = [];
  for (const kind of DROP_ORDER) {
    if (drawn() <= maxDrawn) return omitted;
    let count = 0;
    for (const lane of lanes) {
      const kept = lane.marks.filter((m) => m.kind !== kind);
      count += lane.marks.length - kept.length;
      lane.marks = kept;
    }
    if (count > 0) omitted.push({ what: `${kind} marks`, count });
  }
  const over = drawn() - maxDrawn;
  if (over <= 0) return omitted;
  // Still over: keep the bars that woke latest, across all lanes.
  const bars = lanes.flatMap((lane) => lane.bars.map((bar) => ({ lane, bar })));
  bars.sort((a, b) => (a.bar.latenessNs ?? -1) - (b.bar.latenessNs ?? -1));
  const dropped = new Set(bars.slice(0, over).map((x) => x.bar));
  for (const lane of lanes) lane.bars = lane.bars.filter((bar) => !dropped.has(bar));
  omitted.push({ what: 'pollable bars (those that woke least late)', count: dropped.size });
  return omitted;
}
