// The page's script, part 1 of 2 (render.ts joins both inside one function):
// state and drawing. Every moving element is re-placed from its data-t /
// data-t0 / data-t1; the axis and the heat strip are redrawn with the same
// functions the server used, whose source render.ts prepends as AXIS, FMT,
// HEAT and COLOUR. Notes that would overlap are hidden.

export const CLIENT_DRAW = `
  'use strict';
  const data = JSON.parse(document.getElementById('timeline-data').textContent);
  const L = data.layout;
  const SVGNS = 'http://www.w3.org/2000/svg';
  const svg = document.getElementById('plot');
  const axis = document.getElementById('axis');
  const grid = document.getElementById('grid');
  const heatCells = document.getElementById('heat-cells');
  const clip = document.getElementById('plot-clip-rect');
  const scaleOut = document.getElementById('scale');
  const tip = document.getElementById('tip');
  const points = Array.from(svg.querySelectorAll('[data-t]'));
  const spans = Array.from(svg.querySelectorAll('[data-t0]'));
  const fulls = Array.from(svg.querySelectorAll('.lane-bg'));
  // Notes (poll indices, clamp reasons, run ends) that would overlap are hidden;
  // those of traps, errors and divergence always show.
  const notes = Array.from(svg.querySelectorAll('.note')).map((n) => ({
    n, mark: n.parentNode, lane: n.parentNode.parentNode, w: +n.dataset.w,
    first: /m-(trap|err|diverged)/.test(n.parentNode.getAttribute('class')),
  }));
  const home = data.view;
  const MIN_SPAN = 10;
  const MAX_SPAN = Math.max((home.t1Ns - home.t0Ns) * 4, 1e4);
  let view = { t0Ns: home.t0Ns, t1Ns: home.t1Ns };
  let width = L.widthPx;
  const plotW = () => width - L.labelPx - L.rightPadPx;
  const xOf = (t) => L.labelPx + ((t - view.t0Ns) / (view.t1Ns - view.t0Ns)) * plotW();
  const tOf = (x) => view.t0Ns + ((x - L.labelPx) / plotW()) * (view.t1Ns - view.t0Ns);
  const clampX = (x) => Math.max(-1e5, Math.min(width + 1e5, x));
  const node = (name, attrs, text) => {
    const e = document.createElementNS(SVGNS, name);
    for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  };

  function placeNotes() {
    const taken = new Map();
    const fits = (lane, x0, x1) => (taken.get(lane) || []).every(([a, b]) => x1 <= a || x0 >= b);
    for (const pass of [true, false]) {
      for (const note of notes) {
        if (note.first !== pass) continue;
        const x0 = xOf(+note.mark.dataset.t) + 6;
        const x1 = x0 + note.w + 6;
        const show = pass || (x0 >= L.labelPx && fits(note.lane, x0, x1));
        note.n.style.display = show ? '' : 'none';
        if (show) taken.set(note.lane, [...(taken.get(note.lane) || []), [x0, x1]]);
      }
    }
  }

  function place() {
    for (const e of points) e.setAttribute('transform', 'translate(' + clampX(xOf(+e.dataset.t)).toFixed(2) + ',' + e.dataset.y + ')');
    placeNotes();
    for (const e of spans) {
      const x0 = clampX(xOf(+e.dataset.t0));
      const x1 = clampX(xOf(+e.dataset.t1));
      e.setAttribute('x', x0.toFixed(2));
      e.setAttribute('width', Math.max(1.5, x1 - x0).toFixed(2));
    }
  }

  function drawAxis() {
    const { ticks, base, stepNs } = AXIS(view.t0Ns, view.t1Ns, plotW());
    const lines = [];
    const labels = [];
    for (const t of ticks) {
      const x = xOf(t.t);
      if (x < L.labelPx - 0.5) continue;
      labels.push(node('line', { x1: x, x2: x, y1: L.axisPx - 6, y2: L.axisPx, class: 'axis-line' }));
      labels.push(node('text', { x, y: L.axisPx - 9, 'text-anchor': 'middle', class: 'tick' }, t.label));
      lines.push(node('line', { x1: x, x2: x, y1: L.axisPx, y2: L.heightPx, class: 'grid' }));
    }
    labels.push(node('line', { x1: L.labelPx, x2: width - L.rightPadPx, y1: L.axisPx, y2: L.axisPx, class: 'axis-line' }));
    if (base) labels.push(node('text', { x: 6, y: L.axisPx - 9, class: 'tick base' }, 'from ' + base.label));
    axis.replaceChildren(...labels);
    grid.replaceChildren(...lines);
    scaleOut.textContent = 'view ' + FMT(view.t0Ns, stepNs, true) + ' to ' + FMT(view.t1Ns, stepNs, true)
      + ' (' + FMT(view.t1Ns - view.t0Ns) + ' wide), grid every ' + FMT(stepNs, stepNs);
    svg.dataset.stepNs = String(stepNs);
  }

  function drawHeat() {
    if (!heatCells || !data.heat) return;
    const n = Math.max(1, Math.floor(plotW() / 4));
    const counts = HEAT(data.heat.timesNs, view.t0Ns, view.t1Ns, n);
    const most = Math.max(1, ...counts);
    const w = plotW() / n;
    const span = (view.t1Ns - view.t0Ns) / n;
    const cells = [];
    counts.forEach((c, i) => {
      if (c === 0) return;
      const t0 = view.t0Ns + i * span;
      cells.push(node('rect', { x: L.labelPx + i * w, y: 0, width: w + 0.3, height: L.heatPx - 6, fill: COLOUR(c / most), class: 'hit',
        'aria-label': (c * data.heat.weight) + ' wake-ups from ' + FMT(t0) + ' to ' + FMT(t0 + span) }));
    });
    heatCells.replaceChildren(...cells);
    const label = document.getElementById('heat-max');
    if (label) label.textContent = 'brightest ' + most * data.heat.weight;
  }

  function draw() { place(); drawAxis(); drawHeat(); }

  function layout() {
    width = Math.max(520, Math.round(svg.parentElement.clientWidth || L.widthPx));
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + L.heightPx);
    svg.setAttribute('width', String(width));
    if (clip) clip.setAttribute('width', String(Math.max(0, plotW())));
    for (const e of fulls) e.setAttribute('width', String(width));
    draw();
  }
`;
