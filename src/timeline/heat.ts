// Heat strip of wake-ups over time: counts per bin of the current view, found
// by binary search in the sorted wake-up times, so a 10 000-actor fleet
// re-bins in microseconds on every zoom. Self-contained (no outside
// references): the page's script carries this function's source text too.

/** Wake-ups per bin for `bins` equal bins over [t0Ns, t1Ns). `sortedNs` is ascending. */
export function timelineHeatBins(sortedNs: readonly number[], t0Ns: number, t1Ns: number, bins: number): number[] {
  const lowerBound = (t: number): number => {
    let lo = 0;
    let hi = sortedNs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortedNs[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const counts: number[] = [];
  const width = (t1Ns - t0Ns) / bins;
  let from = lowerBound(t0Ns);
  for (let b = 0; b < bins; b++) {
    const to = b === bins - 1 ? lowerBound(t1Ns) : lowerBound(t0Ns + (b + 1) * width);
    counts.push(to - from);
    from = to;
  }
  return counts;
}

/** Viridis at five stops, interpolated: a sequential scale readable with colour-vision deficiencies and in grey. */
export function timelineHeatColour(fraction: number): string {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const f = Math.min(1, Math.max(0, fraction)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(f));
  const k = f - i;
  const c = stops[i].map((v, j) => Math.round(v + (stops[i + 1][j] - v) * k));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
