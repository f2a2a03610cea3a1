// The renderer (pure): TimelineModel in, one self-contained HTML page out:
// inline SVG, CSS and script, no network. The server draws the first view
// completely (so the page prints and reads without script); the script only
// re-places elements on zoom and pan. The axis, time format and heat strip
// functions run on both sides: the script carries their source text.

import type { MarkKind, TimelineModel } from './model.ts';
import { MAX_DRAWN } from './budget.ts';
import { CLIENT_DRAW } from './client-draw.ts';
import { CLIENT_INPUT } from './client-input.ts';
import { timelineHeatBins, timelineHeatColour } from './heat.ts';
import { esc, fullView, LAYOUT, num, xOf, type View } from './layout.ts';
import { heatStrip, histogramSvg } from './render-fleet.ts';
import { MARK_NAMES, markShape, renderLanes } from './render-lanes.ts';
import { timelineAxisTicks, timelineFormatNs as fmt } from './scale.ts';
import { STYLE } from './style.ts';

function axisSvg(view: View, heightPx: number): { axis: string; grid: string } {
  const plotW = LAYOUT.widthPx - LAYOUT.labelPx - LAYOUT.rightPadPx;
  // The first view starts at the origin, so its ticks never need a base (the script adds one when zoomed far in).
  const { ticks } = timelineAxisTicks(view.t0Ns, view.t1Ns, plotW);
  const y = LAYOUT.axisPx;
  const axis = ticks.map((t) => {
    const x = num(xOf(t.t, view));
    return `<line x1="${x}" x2="${x}" y1="${y - 6}" y2="${y}" class="axis-line"/><text x="${x}" y="${y - 9}" text-anchor="middle" class="tick">${esc(t.label)}</text>`;
  });
  axis.push(`<line x1="${LAYOUT.labelPx}" x2="${LAYOUT.widthPx - LAYOUT.rightPadPx}" y1="${y}" y2="${y}" class="axis-line"/>`);
  const grid = ticks.map((t) => `<line x1="${num(xOf(t.t, view))}" x2="${num(xOf(t.t, view))}" y1="${y}" y2="${heightPx}" class="grid"/>`);
  return { axis: axis.join(''), grid: grid.join('') };
}

function legend(): string {
  const kinds = Object.keys(MARK_NAMES) as MarkKind[];
  const sym = (inner: string): string => `<svg width="16" height="16" viewBox="-8 -8 16 16" aria-hidden="true">${inner}</svg>`;
  const swatch = (cls: string): string => `<svg width="22" height="10" aria-hidden="true"><rect class="${cls}" x="1" y="1" width="20" height="8"/></svg>`;
  const items = [
    `<li>${swatch('applied')}pollable: subscribe to deadline (applied delay)</li>`,
    `<li>${swatch('late')}deadline to wake-up (lateness of a block or poll)</li>`,
    `<li>${swatch('unnoticed')}ready but not yet checked, until ready(), drop or chain end</li>`,
    `<li>${swatch('requested')}requested delay, when it was clamped</li>`,
    ...kinds.map((k) => `<li>${sym(markShape(k))}${esc(MARK_NAMES[k])}</li>`),
  ];
  return `<section class="legend" aria-label="Legend"><ul>${items.join('')}</ul></section>`;
}

const HOW = `<section class="how"><h2>How to read this page, and where the times come from</h2>
<p>One lane per actor, time along x from the earliest clock value in the input (x = 0). Each bar is one pollable: blue from its subscribe to its deadline, orange from the deadline to the wake-up of the <code>block</code> or <code>poll</code> that returned it (its lateness), grey while it sat ready unnoticed. A dashed outline shows the delay the guest asked for when the host clamped it. Hover any bar or mark for the event's fields and its chain index. Wheel to zoom, drag to pan, or use the buttons and the + − 0 ← → keys on the focused chart.</p>
<p>Chains carry no timestamps, only the clock values the guest saw, so each event's time is inferred in chain order as a lower bound that never goes backwards: a <code>now()</code> is its reading; a subscribe is its deadline minus the applied delay (the duration, or the clamp's applied value); a <code>block</code> or <code>poll</code> ends at its start plus <code>waited</code>, and no earlier than the deadline of what came back ready; <code>ready() = true</code> is no earlier than that pollable's deadline; any other event takes the time of the event before it; events before the first clock value take that value. The tooltip says which rule placed each event. Theater's chain.json records no <code>waited</code>, clamps or drops, so there a block ends at its deadline at the earliest and lateness is not measured. A poll's lateness counts only when its ready pollables can be told apart: from the polled list when the chain records it, else when exactly as many live pollables are due as indices came back. A <code>subscribe-instant</code> for a past instant is due when it is made.</p>
<p>Outcomes come from the chain's final <code>ChainEnd</code> record (ok, err, trap, or diverged in a replay, with its message; the divergence mark sits at the event the message names); a chain without it has no recorded outcome. This page does not check hashes: run <code>theater-timing verify</code> for that.</p></section>`;

const FORMAT_TEXT: Record<TimelineModel['format'], string> = { jsonl: 'JSON Lines chain', theater: "Theater's chain.json", mixed: "JSON Lines and Theater's chain.json" };

function summary(model: TimelineModel): string {
  const o = model.outcomes;
  const plural = (n: number, w: string): string => `${n.toLocaleString('en-US')} ${w}${n === 1 ? '' : 's'}`;
  const parts = [plural(model.actorCount, 'actor'), plural(model.eventCount, 'event'), `span ${fmt(model.spanNs)}`, FORMAT_TEXT[model.format]];
  const outcomes = (['ok', 'err', 'trap', 'diverged'] as const).filter((k) => o[k] > 0).map((k) => `<span class="status-${k}">${k} ${o[k].toLocaleString('en-US')}</span>`);
  if (o.unknown > 0) outcomes.push(`no ChainEnd record ${o.unknown.toLocaleString('en-US')}`);
  const single = model.lanes.length === 1 && model.actorCount === 1 ? model.lanes[0] : null;
  const failure = single !== null && single.outcome !== null && single.outcome !== 'ok' ? `<p class="summary status-${single.outcome}">${single.outcome === 'diverged' ? 'Replay diverged' : single.outcome === 'trap' ? 'Trapped' : 'init returned err'}: ${esc(single.message)}</p>` : '';
  const origin = model.originNs === null
    ? 'No clock value in the input: every event is drawn at x = 0, in chain order.'
    : `x = 0 is monotonic ${model.originNs} ns${model.wallAtOrigin === null ? '' : ` (wall clock ≈ ${model.wallAtOrigin})`}`;
  return `<p class="summary">${esc(parts.join(' · '))} · outcomes: ${outcomes.join(', ')}</p><p class="summary">${esc(origin)}</p>${failure}`
    + (model.laneSelection === null ? '' : `<p class="summary">${esc(model.laneSelection)}</p>`)
    + (model.omitted.length === 0 ? '' : `<p class="summary">To open quickly, this page draws at most ${MAX_DRAWN.toLocaleString('en-US')} marks and bars; left out: ${esc(model.omitted.map((o) => `${o.count.toLocaleString('en-US')} ${o.what}`).join(', '))}. Clamps, traps and other run ends are always drawn.</p>`);
}

function fleetPanels(model: TimelineModel): string {
  if (model.fleet === null) return '';
  const stats = model.fleet.lateness;
  const hist = stats === null
    ? '<p>No wake-up lateness was recorded (the chains hold no waited blocks or polls).</p>'
    : `<figure>${histogramSvg(stats)}<figcaption>Lateness of every wake-up (a block or poll that waited) in all ${model.actorCount.toLocaleString('en-US')} actors: p50 ${fmt(stats.p50Ns)}, p99 ${fmt(stats.p99Ns)}, max ${fmt(stats.maxNs)}${stats.minNs < 0 ? ', <strong>some early</strong>' : ''}. The heat strip above the lanes counts wake-ups over time (brighter = more) and follows the zoom.</figcaption></figure>`;
  return `<section class="fleet" aria-label="Fleet overview"><h2>Fleet</h2>${hist}</section>`;
}

/** Safe inside <script>: no "</script>", no HTML comment openers. */
const jsonForScript = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export function renderTimeline(model: TimelineModel): string {
  const view = fullView(model.spanNs);
  const heatTop = LAYOUT.axisPx + 4;
  const lanesTop = model.fleet === null ? LAYOUT.axisPx + 4 : heatTop + LAYOUT.heatPx;
  const lanes = renderLanes(model, view, lanesTop);
  const heightPx = lanes.bottom + 4;
  const { axis, grid } = axisSvg(view, heightPx);
  const data = {
    layout: { ...LAYOUT, heightPx },
    view,
    heat: model.fleet === null ? null : { timesNs: model.fleet.wakeTimesNs, weight: model.fleet.wakeWeight },
  };
  const plotW = LAYOUT.widthPx - LAYOUT.labelPx - LAYOUT.rightPadPx;
  const title = `Timeline: ${model.title}`;
  const script = [
    fmt.toString(), timelineAxisTicks.toString(), timelineHeatBins.toString(), timelineHeatColour.toString(),
    `const FMT = ${fmt.name}, AXIS = ${timelineAxisTicks.name}, HEAT = ${timelineHeatBins.name}, COLOUR = ${timelineHeatColour.name};`,
    `(() => {\n${CLIENT_DRAW}${CLIENT_INPUT}})();`,
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(title)}</h1>${summary(model)}</header>
${fleetPanels(model)}
<div class="controls" role="toolbar" aria-label="Time axis"><button id="zoom-in" type="button" aria-label="Zoom in">+</button><button id="zoom-out" type="button" aria-label="Zoom out">−</button><button id="zoom-reset" type="button">Whole span</button><span id="scale" aria-live="polite"></span><span class="hint">wheel: zoom · drag: pan · hover: details</span></div>
<div id="plot-wrap"><svg id="plot" role="list" tabindex="0" aria-labelledby="plot-title plot-desc" width="${LAYOUT.widthPx}" height="${heightPx}" viewBox="0 0 ${LAYOUT.widthPx} ${heightPx}">
<title id="plot-title">${esc(`${title}: ${model.lanes.length} actor lanes over ${fmt(model.spanNs)}`)}</title><desc id="plot-desc">Each lane is an actor; bars are pollables from subscribe to wake-up; marks are clock reads, clamps, polls, traps and replay divergence.</desc>
<defs><clipPath id="plot-clip" clipPathUnits="userSpaceOnUse"><rect id="plot-clip-rect" x="${LAYOUT.labelPx}" y="-100000" width="${plotW}" height="1000000"/></clipPath></defs>
<g id="axis">${axis}</g>${model.fleet === null ? '' : heatStrip(model, view, heatTop)}${lanes.svg}<g id="grid">${grid}</g></svg></div>
${legend()}
${HOW}
<div id="tip" role="tooltip" hidden></div>
<script type="application/json" id="timeline-data">${jsonForScript(data)}</script>
<script>${script}</script>
</body></html>
`;
}
