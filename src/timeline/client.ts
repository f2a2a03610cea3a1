// The page's script, as text: zoom (wheel, buttons, + and - keys) and pan
// (drag, arrow keys) on the time axis, re-placing every element from its
// data-t / data-t0 / data-t1; the axis and the heat strip are redrawn with
// the same functions the server used (their source is prepended by render.ts
// as AXIS, FMT, HEAT and COLOUR); a tooltip from each mark's aria-label.

export const CLIENT_SCRIPT = `
(() => {
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

  let queued = false;
  function redraw() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; draw(); });
  }

  function setView(t0, t1) {
    const mid = (t0 + t1) / 2;
    const span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, t1 - t0));
    view = { t0Ns: mid - span / 2, t1Ns: mid + span / 2 };
    redraw();
  }
  function zoomAt(factor, x) {
    const t = tOf(x);
    setView(t - (t - view.t0Ns) * factor, t + (view.t1Ns - t) * factor);
  }
  function pan(fraction) {
    const d = (view.t1Ns - view.t0Ns) * fraction;
    setView(view.t0Ns + d, view.t1Ns + d);
  }
  const svgX = (e) => {
    const r = svg.getBoundingClientRect();
    return ((e.clientX - r.left) * width) / Math.max(1, r.width);
  };
  const centre = () => L.labelPx + plotW() / 2;

  svg.addEventListener('wheel', (e) => {
    e.preventDefault();
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan((e.deltaX || e.deltaY) / 1000);
    else zoomAt(Math.exp(e.deltaY * 0.002), Math.max(L.labelPx, svgX(e)));
  }, { passive: false });

  let drag = null;
  svg.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { x: svgX(e), t0: view.t0Ns, t1: view.t1Ns, id: e.pointerId };
    svg.setPointerCapture(e.pointerId);
    svg.classList.add('dragging');
    tip.hidden = true;
  });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dt = ((svgX(e) - drag.x) / plotW()) * (drag.t1 - drag.t0);
    setView(drag.t0 - dt, drag.t1 - dt);
  });
  const endDrag = () => { if (drag) { svg.releasePointerCapture(drag.id); drag = null; svg.classList.remove('dragging'); } };
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);

  svg.addEventListener('keydown', (e) => {
    const actions = { '+': () => zoomAt(0.5, centre()), '=': () => zoomAt(0.5, centre()), '-': () => zoomAt(2, centre()),
      ArrowLeft: () => pan(-0.1), ArrowRight: () => pan(0.1), '0': () => setView(home.t0Ns, home.t1Ns) };
    const act = actions[e.key];
    if (act) { e.preventDefault(); act(); }
  });
  document.getElementById('zoom-in').addEventListener('click', () => zoomAt(0.5, centre()));
  document.getElementById('zoom-out').addEventListener('click', () => zoomAt(2, centre()));
  document.getElementById('zoom-reset').addEventListener('click', () => setView(home.t0Ns, home.t1Ns));

  document.addEventListener('pointerover', (e) => {
    const hit = e.target instanceof Element ? e.target.closest('.hit') : null;
    if (!hit || drag) { tip.hidden = true; return; }
    tip.textContent = hit.getAttribute('aria-label');
    tip.hidden = false;
  });
  document.addEventListener('pointermove', (e) => {
    if (tip.hidden) return;
    const pad = 14;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const x = e.clientX + pad + w > innerWidth ? Math.max(0, e.clientX - pad - w) : e.clientX + pad;
    const y = e.clientY + pad + h > innerHeight ? Math.max(0, e.clientY - pad - h) : e.clientY + pad;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });
  // Leaving the window: pointerleave does not bubble to document, mouseout does.
  document.addEventListener('mouseout', (e) => { if (!e.relatedTarget) tip.hidden = true; });

  new ResizeObserver(() => layout()).observe(svg.parentElement);
  layout();
  document.documentElement.dataset.readyMs = performance.now().toFixed(1);
})();
`;
