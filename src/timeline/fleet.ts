// Aggregates for a large fleet: every wake-up's time (the heat strip bins them
// per view on the page) and a lateness histogram on 1-2-5 bins, which keep
// microseconds and hundreds of milliseconds readable on one axis.

import type { InferredActor } from './infer.ts';
import type { FleetView, HistogramBin, LatenessStats } from './model.ts';

/** More wake-ups than this are sampled evenly, so the page stays small. */
export const MAX_WAKE_TIMES = 200_000;

function edges(maxNs: number): number[] {
  const out = [0];
  for (let decade = 1; out[out.length - 1] <= maxNs; decade *= 10) {
    for (const m of [1, 2, 5]) out.push(m * decade);
  }
  return out;
}

const at = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export function latenessStats(latenessNs: number[]): LatenessStats | null {
  if (latenessNs.length === 0) return null;
  const sorted = [...latenessNs].sort((a, b) => a - b);
  const maxNs = sorted[sorted.length - 1];
  const early = sorted.filter((ns) => ns < 0).length;
  const e = edges(maxNs);
  let bins: HistogramBin[] = [];
  let i = early;
  for (let b = 0; b + 1 < e.length; b++) {
    let count = 0;
    while (i < sorted.length && sorted[i] < e[b + 1]) { count++; i++; }
    bins.push({ fromNs: e[b], toNs: e[b + 1], count });
  }
  // Trim empty bins at both ends, so the bars fill the chart; early wake-ups get a bin of their own.
  const firstFull = bins.findIndex((bin) => bin.count > 0);
  const lastFull = bins.findLastIndex((bin) => bin.count > 0);
  bins = firstFull === -1 ? [] : bins.slice(firstFull, lastFull + 1);
  if (early > 0) bins.unshift({ fromNs: sorted[0], toNs: 0, count: early });
  return { count: sorted.length, p50Ns: at(sorted, 50), p99Ns: at(sorted, 99), maxNs, minNs: sorted[0], bins };
}

export function fleetView(actors: InferredActor[], originNs: bigint): FleetView {
  const times: number[] = [];
  const lateness: number[] = [];
  for (const actor of actors) {
    for (const wake of actor.wakes) {
      times.push(Number(wake.atNs - originNs));
      if (wake.latenessNs !== null) lateness.push(Number(wake.latenessNs));
    }
  }
  times.sort((a, b) => a - b);
  const weight = Math.max(1, Math.ceil(times.length / MAX_WAKE_TIMES));
  return {
    wakeTimesNs: weight === 1 ? times : times.filter((_, i) => i % weight === 0),
    wakeWeight: weight,
    lateness: latenessStats(lateness),
  };
}
