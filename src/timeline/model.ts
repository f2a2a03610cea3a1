// The TimelineModel: what the page shows, with no HTML in it. Times are
// numbers of nanoseconds relative to `originNs` (the earliest time in the
// input), exact as doubles for spans up to ~104 days.

import type { ChainFormat } from '../events/types.ts';
import type { FieldValue, Outcome } from './calls.ts';
import type { BarEnd, TimeSource } from './infer.ts';

export type MarkKind = 'clock' | 'clamp' | 'poll' | 'ready' | 'block' | 'drop' | 'other' | 'ok' | 'err' | 'trap' | 'diverged';

export interface EventRef {
  index: number;
  line: number | null;
  type: string;
  fields: Readonly<Record<string, FieldValue>>;
  tNs: number;
  source: TimeSource;
}

export interface Bar {
  pollable: number;
  /** Stacking row within the lane, so overlapping pollables do not cover each other. */
  row: number;
  startNs: number;
  deadlineNs: number;
  endNs: number;
  requestedNs: number | null;
  appliedNs: number | null;
  clampReason: string | null;
  endedBy: BarEnd;
  latenessNs: number | null;
  subscribe: EventRef;
  end: EventRef | null;
}

export interface Mark {
  kind: MarkKind;
  event: EventRef;
  /** Short text beside the mark: the indices of a poll, a clamp's reason, a trap's message. */
  note: string;
}

export interface Lane {
  label: string;
  instance: number | null;
  outcome: Outcome | null;
  message: string;
  rows: number;
  events: number;
  bars: Bar[];
  marks: Mark[];
  maxLatenessNs: number | null;
}

export interface HistogramBin {
  fromNs: number;
  toNs: number;
  count: number;
}

export interface LatenessStats {
  count: number;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  minNs: number;
  bins: HistogramBin[];
}

export interface FleetView {
  /** Sorted wake-up times (ns from origin) of every actor; each stands for `wakeWeight` wake-ups. */
  wakeTimesNs: number[];
  wakeWeight: number;
  lateness: LatenessStats | null;
}

export interface TimelineModel {
  title: string;
  /** 'mixed' when the files given were in both formats. */
  format: ChainFormat | 'mixed';
  /** The monotonic instant at x = 0 (decimal ns), or null when the input holds no clock value. */
  originNs: string | null;
  /** Wall-clock time at x = 0, from the first wall-clock read (ISO 8601), or null. */
  wallAtOrigin: string | null;
  spanNs: number;
  actorCount: number;
  eventCount: number;
  outcomes: Record<Outcome | 'unknown', number>;
  lanes: Lane[];
  /** Why only some actors have lanes; null when every actor has one. */
  laneSelection: string | null;
  /** What the drawing budget left out (budget.ts); empty when everything is drawn. */
  omitted: Array<{ what: string; count: number }>;
  fleet: FleetView | null;
}
