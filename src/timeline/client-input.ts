// The page's script, part 2 of 2: zoom (wheel around the pointer, buttons,
// + and - keys) and pan (drag, shift+wheel, arrow keys) on the time axis,
// the tooltip from each mark's aria-label, and the first layout. It uses the
// state and drawing functions of part 1 (client-draw.ts).

export const CLIENT_INPUT = `
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
`;
