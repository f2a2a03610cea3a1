// The page's stylesheet: Okabe-Ito colours (see PALETTE), a sticky control
// bar, a monospace tooltip, and a print stylesheet that drops the controls
// and keeps each lane on one page.

export const STYLE = `
:root { color-scheme: light; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 0 16px 32px; color: #111; background: #fff; }
h1 { font-size: 18px; margin: 14px 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 15px; margin: 18px 0 6px; }
.summary { margin: 2px 0; color: #222; }
.status-trap, .status-err, .status-diverged { font-weight: 600; color: #8a2c00; }
.controls { position: sticky; top: 0; z-index: 2; background: #fff; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 6px 0; border-bottom: 1px solid #ccc; }
.controls button { font: inherit; padding: 2px 10px; border: 1px solid #777; border-radius: 3px; background: #f4f4f4; cursor: pointer; }
.controls button:focus-visible, #plot:focus-visible { outline: 2px solid #0072B2; outline-offset: 2px; }
#scale { font-variant-numeric: tabular-nums; }
.hint { color: #555; }
#plot-wrap { border: 1px solid #bbb; margin-top: 6px; }
#plot { display: block; width: 100%; height: auto; cursor: grab; user-select: none; touch-action: none; }
#plot.dragging { cursor: grabbing; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", sans-serif; fill: #111; }
.lane-bg { fill: #fff; } .lane-bg.odd { fill: #f2f2f2; }
.lane.failed .lane-bg { fill: #fbe6dc; }
.lane-label { font-weight: 600; }
.tick { fill: #222; font-size: 10.5px; font-variant-numeric: tabular-nums; }
.axis-line { stroke: #444; }
.grid { stroke: #000; stroke-opacity: 0.12; pointer-events: none; }
.applied { fill: #56B4E9; } .late { fill: #E69F00; } .unnoticed { fill: #c8c8c8; }
.requested { fill: none; stroke: #000; stroke-width: 1; stroke-dasharray: 3 2; }
.note { font-size: 10px; fill: #222; }
.m-trap .note, .m-diverged .note, .m-err .note { font-weight: 700; fill: #000; }
.hit { cursor: default; }
.hit:hover > *:not(text):not(.rule) { stroke: #000; stroke-width: 1.5px; }
#tip { position: fixed; z-index: 10; pointer-events: none; background: #111; color: #fff; padding: 6px 9px; border-radius: 4px; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; max-width: min(70ch, 90vw); box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.legend ul { display: flex; flex-wrap: wrap; gap: 4px 18px; list-style: none; padding: 0; margin: 6px 0; }
.legend svg { vertical-align: middle; margin-right: 4px; }
.fleet { display: flex; flex-wrap: wrap; gap: 12px 32px; align-items: flex-start; }
.fleet figure { margin: 0; }
.fleet figcaption { color: #333; max-width: 720px; }
.how { max-width: 90ch; color: #222; }
.how code { font-size: 12px; }
@media print {
  .controls button, .hint, #tip { display: none !important; }
  .controls { position: static; border: 0; }
  body { margin: 0; }
  #plot { cursor: auto; }
  .lane, figure { break-inside: avoid; }
  a { color: inherit; }
}
`;
