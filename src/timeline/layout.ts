// Page geometry shared by the renderer and the page's script (which receives
// it as JSON): pixel sizes, and the mapping of a time to x for a view.

export const LAYOUT = {
  widthPx: 1200,
  labelPx: 170,
  rightPadPx: 16,
  axisPx: 30,
  heatPx: 26,
  markRowPx: 22,
  barRowPx: 12,
  barPx: 9,
  lanePadPx: 6,
} as const;

export interface View {
  t0Ns: number;
  t1Ns: number;
}

/** The first view: the whole span with a little margin (1 µs when the span is empty). */
export function fullView(spanNs: number): View {
  const span = Math.max(spanNs, 1000);
  return { t0Ns: -span * 0.02, t1Ns: span * 1.02 };
}

export function xOf(tNs: number, view: View, widthPx: number = LAYOUT.widthPx): number {
  const plot = widthPx - LAYOUT.labelPx - LAYOUT.rightPadPx;
  return LAYOUT.labelPx + ((tNs - view.t0Ns) / (view.t1Ns - view.t0Ns)) * plot;
}

export function laneHeight(rows: number): number {
  return LAYOUT.lanePadPx + LAYOUT.markRowPx + rows * LAYOUT.barRowPx + LAYOUT.lanePadPx;
}

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A number for an attribute: short, and exact enough for a pixel or a nanosecond. */
export function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}
