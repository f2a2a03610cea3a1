// The fleet panels: a lateness histogram on 1-2-5 bins (static SVG) and the
// heat strip's first drawing (the page's script redraws it on zoom).

import type { LatenessStats, TimelineModel } from './model.ts';
import { esc, LAYOUT, num, xOf, type View } from './layout.ts';
import { PALETTE } from './render-lanes.ts';
import { timelineHeatBins, timelineHeatColour } from './heat.ts';
import { timelineFormatNs as fmt } from './scale.ts';

const HIST = { width: 720, height: 220, left: 56, bottom: 48, top: 14 } as const;

export function histogramSvg(stats: LatenessStats): string {
  const plotW = HIST.width - HIST.left - 12;
  const plotH = HIST.height - HIST.bottom - HIST.top;
  const most = Math.max(...stats.bins.map((b) => b.count));
  const w = plotW / stats.bins.length;
  const bars = stats.bins.map((bin, i) => {
    const h = (bin.count / most) * plotH;
    const x = HIST.left + i * w;
    const range = bin.toNs <= 0 ? `early (${fmt(bin.fromNs)} to 0)` : `${fmt(bin.fromNs, bin.fromNs, true)} to ${fmt(bin.toNs, bin.toNs, true)}`;
    const label = `${bin.count.toLocaleString('en-US')} wake-ups ${range} late`;
    return `<g class="hit" aria-label="${esc(label)}"><rect x="${num(x + 1)}" y="${num(HIST.top + plotH - h)}" width="${num(Math.max(1, w - 2))}" height="${num(Math.max(h, bin.count > 0 ? 2 : 0))}" fill="${bin.toNs <= 0 ? PALETTE.vermillion : PALETTE.blue}"/>`
      + `<text class="tick" x="${num(x + w / 2)}" y="${HIST.top + plotH + 14}" text-anchor="middle">${esc(bin.toNs <= 0 ? 'early' : fmt(bin.fromNs, bin.fromNs, true))}</text></g>`;
  });
  const title = `Wake-up lateness of ${stats.count.toLocaleString('en-US')} wake-ups: p50 ${fmt(stats.p50Ns)}, p99 ${fmt(stats.p99Ns)}, max ${fmt(stats.maxNs)}`;
  return `<svg class="histogram" role="img" aria-labelledby="hist-title" width="${HIST.width}" height="${HIST.height}" viewBox="0 0 ${HIST.width} ${HIST.height}">`
    + `<title id="hist-title">${esc(title)}</title>`
    + `<line x1="${HIST.left}" x2="${HIST.left}" y1="${HIST.top}" y2="${HIST.top + plotH}" class="axis-line"/>`
    + `<line x1="${HIST.left}" x2="${HIST.left + plotW}" y1="${HIST.top + plotH}" y2="${HIST.top + plotH}" class="axis-line"/>`
    + `<text class="tick" x="${HIST.left - 6}" y="${HIST.top + 8}" text-anchor="end">${most.toLocaleString('en-US')}</text>`
    + `<text class="tick" x="${HIST.left - 6}" y="${HIST.top + plotH}" text-anchor="end">0</text>`
    + bars.join('')
    + `<text class="axis-title" x="${HIST.left + plotW / 2}" y="${HIST.height - 8}" text-anchor="middle">lateness (bin start; bins 1-2-5 per decade), wake-ups per bin</text></svg>`;
}

export const HEAT_BIN_PX = 4;

/** The heat strip row at `y`, drawn for `view`. */
export function heatStrip(model: TimelineModel, view: View, y: number): string {
  const times = model.fleet?.wakeTimesNs ?? [];
  const plotW = LAYOUT.widthPx - LAYOUT.labelPx - LAYOUT.rightPadPx;
  const n = Math.max(1, Math.floor(plotW / HEAT_BIN_PX));
  const counts = timelineHeatBins(times, view.t0Ns, view.t1Ns, n);
  const most = Math.max(1, ...counts);
  const weight = model.fleet?.wakeWeight ?? 1;
  const cells = counts.map((c, i) => {
    if (c === 0) return '';
    const t0 = view.t0Ns + ((view.t1Ns - view.t0Ns) * i) / n;
    const label = `${c * weight} wake-ups from ${fmt(t0)} to ${fmt(t0 + (view.t1Ns - view.t0Ns) / n)}`;
    return `<rect class="hit" x="${num(xOf(t0, view))}" y="0" width="${HEAT_BIN_PX}" height="${LAYOUT.heatPx - 6}" fill="${timelineHeatColour(c / most)}" aria-label="${esc(label)}"/>`;
  });
  const total = times.length * weight;
  return `<g id="heat" role="img" aria-label="Heat strip: ${total.toLocaleString('en-US')} wake-ups over time" transform="translate(0,${y})">`
    + `<title>Wake-ups over time (${total.toLocaleString('en-US')} in all; brighter = more)</title>`
    + `<text class="lane-label" x="6" y="11">wake-ups</text><text id="heat-max" class="tick" x="6" y="22">brightest ${most * weight}</text><g id="heat-cells">${cells.join('')}</g></g>`;
}
