// One SVG group per lane: a label, a bar per pollable (applied delay, then
// lateness or the time it stayed ready unnoticed, and the requested delay
// outlined when it was clamped), and a mark per other event. Every moving
// element carries its time in data-t (marks) or data-t0/data-t1 (spans), so
// the page's script can re-place it on zoom without any other data.

import type { Bar, Lane, Mark, MarkKind, TimelineModel } from './model.ts';
import { esc, laneHeight, LAYOUT, num, xOf, type View } from './layout.ts';
import { timelineFormatNs as fmt } from './scale.ts';
import { barTip, eventTip } from './tips.ts';

/** Okabe-Ito colours: told apart with every common colour-vision deficiency. */
export const PALETTE = {
  orange: '#E69F00', sky: '#56B4E9', green: '#009E73', yellow: '#F0E442',
  blue: '#0072B2', vermillion: '#D55E00', purple: '#CC79A7', grey: '#888888', black: '#000000',
} as const;

const SHAPES: Record<MarkKind, string> = {
  clock: `<path d="M0 -6V6" stroke="${PALETTE.blue}" stroke-width="2"/>`,
  clamp: `<path d="M0 -6L6 5H-6Z" fill="${PALETTE.vermillion}"/>`,
  poll: `<path d="M0 -6L6 0L0 6L-6 0Z" fill="${PALETTE.green}"/>`,
  ready: `<circle r="4" fill="${PALETTE.sky}" stroke="${PALETTE.blue}"/>`,
  block: `<path d="M-4.5 -4.5H4.5V4.5H-4.5Z" fill="${PALETTE.orange}"/>`,
  drop: `<path d="M-3.5 -3.5L3.5 3.5M3.5 -3.5L-3.5 3.5" stroke="${PALETTE.grey}" stroke-width="1.5"/>`,
  other: `<circle r="2.5" fill="${PALETTE.grey}"/>`,
  ok: `<path d="M-5 0L-1.5 4L5 -5" fill="none" stroke="${PALETTE.green}" stroke-width="2.5"/>`,
  err: `<circle r="6" fill="${PALETTE.yellow}" stroke="${PALETTE.black}"/><path d="M0 -3.5V1M0 2.5V3.5" stroke="${PALETTE.black}" stroke-width="1.6"/>`,
  trap: `<path d="M-6 -6L6 6M6 -6L-6 6" stroke="${PALETTE.vermillion}" stroke-width="3"/>`,
  diverged: `<path d="M0 -7L2 -2L7 -2L3 1.5L4.5 7L0 3.5L-4.5 7L-3 1.5L-7 -2L-2 -2Z" fill="${PALETTE.purple}" stroke="${PALETTE.black}" stroke-width="0.6"/>`,
};

export const MARK_NAMES: Record<MarkKind, string> = {
  clock: 'clock read (now, resolution, wall clock)', clamp: 'delay clamped (reason beside it)', poll: 'poll returned (indices that came back)',
  ready: 'ready() check', block: 'block returned (a wake-up when it waited)', drop: 'pollable dropped', other: 'other event (setup, wasm call)',
  ok: 'run ended ok', err: 'init returned err', trap: 'trap (message beside it)', diverged: 'replay diverged here',
};

export function markShape(kind: MarkKind): string {
  return SHAPES[kind];
}

const NOTED: ReadonlySet<MarkKind> = new Set(['poll', 'clamp', 'trap', 'err', 'diverged']);
const RULED: ReadonlySet<MarkKind> = new Set(['trap', 'diverged', 'err']);

function mark(m: Mark, y: number, laneH: number, view: View, originNs: bigint): string {
  const t = m.event.tNs;
  const rule = RULED.has(m.kind) ? `<line class="rule" y1="${-y + 2}" y2="${laneH - y - 2}" stroke="${m.kind === 'diverged' ? PALETTE.purple : PALETTE.vermillion}" stroke-dasharray="4 3" stroke-width="1.5"/>` : '';
  const note = m.note.length > 60 ? `${m.note.slice(0, 59)}…` : m.note;
  // data-w: the note's approximate width, so the script can hide notes that would overlap.
  const text = NOTED.has(m.kind) && note !== '' ? `<text class="note" x="8" y="4" data-w="${Math.ceil(note.length * 6)}">${esc(note)}</text>` : '';
  return `<g class="mark hit m-${m.kind}" data-t="${num(t)}" data-y="${y}" transform="translate(${num(xOf(t, view))},${y})" aria-label="${esc(eventTip(m.event, originNs))}">${rule}${SHAPES[m.kind]}${text}</g>`;
}

function span(cls: string, t0: number, t1: number, y: number, h: number, view: View, extra = ''): string {
  const x0 = xOf(t0, view);
  const w = Math.max(1.5, xOf(t1, view) - x0);
  return `<rect class="${cls}" data-t0="${num(t0)}" data-t1="${num(t1)}" x="${num(x0)}" y="${y}" width="${num(w)}" height="${h}"${extra}/>`;
}

function bar(b: Bar, y: number, view: View, originNs: bigint): string {
  const deadline = b.deadlineNs;
  const parts = [span('applied', b.startNs, Math.min(deadline, b.endNs), y, LAYOUT.barPx, view)];
  if (deadline < b.endNs) parts.push(span(b.endedBy === 'block' || b.endedBy === 'poll' ? 'late' : 'unnoticed', deadline, b.endNs, y, LAYOUT.barPx, view));
  if (b.clampReason !== null && b.requestedNs !== null && b.requestedNs > 0) parts.push(span('requested', b.startNs, b.startNs + b.requestedNs, y - 1, LAYOUT.barPx + 2, view));
  return `<g class="bar hit" data-pollable="${b.pollable}" aria-label="${esc(barTip(b, originNs))}">${parts.join('')}</g>`;
}

function laneTitle(lane: Lane): string {
  const outcome = lane.outcome === null ? 'outcome not recorded' : lane.outcome === 'ok' ? 'ended ok' : `${lane.outcome}: ${lane.message}`;
  const late = lane.maxLatenessNs === null ? '' : `, latest wake-up ${(lane.maxLatenessNs / 1e6).toFixed(3)} ms late`;
  return `${lane.label}: ${lane.events} events, ${lane.bars.length} pollables, ${outcome}${late}`;
}

/** The lanes' SVG, starting at `top`; returns the markup and the y below the last lane. */
export function renderLanes(model: TimelineModel, view: View, top: number): { svg: string; bottom: number } {
  const originNs = BigInt(model.originNs ?? 0);
  let y = top;
  const out: string[] = [];
  model.lanes.forEach((lane, i) => {
    const h = laneHeight(lane.rows);
    const markY = LAYOUT.lanePadPx + LAYOUT.markRowPx / 2;
    const barsTop = LAYOUT.lanePadPx + LAYOUT.markRowPx;
    const failed = lane.outcome !== null && lane.outcome !== 'ok';
    out.push(
      `<g class="lane${failed ? ' failed' : ''}" role="listitem" data-outcome="${lane.outcome ?? 'unknown'}" transform="translate(0,${y})">`,
      `<title>${esc(laneTitle(lane))}</title>`,
      `<rect class="lane-bg${i % 2 === 1 ? ' odd' : ''}" x="0" y="0" width="${LAYOUT.widthPx}" height="${h}"/>`,
      `<text class="lane-label" x="6" y="${markY + 4}">${esc(lane.label.length > 22 ? `${lane.label.slice(0, 21)}…` : lane.label)}</text>`,
      lane.maxLatenessNs === null ? '' : `<text class="lane-late tick" x="6" y="${markY + 18}">latest wake-up ${esc(fmt(lane.maxLatenessNs))} late</text>`,
      `<g class="plot-clip" clip-path="url(#plot-clip)">`,
      ...lane.bars.map((b) => bar(b, barsTop + b.row * LAYOUT.barRowPx, view, originNs)),
      ...lane.marks.map((m) => mark(m, markY, h, view, originNs)),
      '</g></g>',
    );
    y += h;
  });
  return { svg: out.join(''), bottom: y };
}
