// Minimal standalone SVG charts for bench/RESULTS.md: a line chart (linear or
// log axes) and a horizontal grouped bar chart on a log axis. Standalone means
// an xmlns, a white background and a system font, so GitHub and a browser show
// them the same. Colours are Okabe-Ito, and every series also differs by dash
// or marker, so the charts read with any colour vision and in grey.

export { lineChart, barChart, niceLogTicks, type Series, type BarGroup };

const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '4 2'];
const W = 760;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const r = (n: number): string => (Math.round(n * 10) / 10).toString();

interface Series {
  name: string;
  points: Array<[number, number]>;
  /** Draw markers at the points (for few points, e.g. N = 1 000, 5 000, 10 000). */
  markers?: boolean;
}

interface Axis { label: string; log?: boolean; min?: number; max?: number; format?: (v: number) => string }

/** 1-2-5 ticks per decade over [lo, hi]; powers of ten alone past three decades, so labels never collide. */
function niceLogTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const steps = Math.log10(hi / lo) > 3 ? [1] : [1, 2, 5];
  for (let d = 10 ** Math.floor(Math.log10(lo)); d <= hi * 1.0001; d *= 10) {
    for (const m of steps) if (m * d >= lo * 0.9999 && m * d <= hi * 1.0001) ticks.push(m * d);
  }
  return ticks;
}

function linearTicks(lo: number, hi: number): number[] {
  const raw = (hi - lo) / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function frame(title: string, subtitle: string, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ${FONT} font-size="12" role="img" aria-labelledby="t">`
    + `<title id="t">${esc(title)}</title><rect width="100%" height="100%" fill="#fff"/>`
    + `<text x="16" y="22" font-size="15" font-weight="600">${esc(title)}</text><text x="16" y="40" fill="#444">${esc(subtitle)}</text>${body}</svg>\n`;
}

function lineChart(title: string, subtitle: string, x: Axis, y: Axis, series: Series[]): string {
  const left = 84, right = 24, top = 56, bottom = 52, ph = 300;
  const pw = W - left - right;
  const H = top + ph + bottom + series.length * 18 + 8;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = [x.min ?? Math.min(...xs), x.max ?? Math.max(...xs)];
  const [y0, y1] = [y.min ?? Math.min(0, ...ys), y.max ?? Math.max(...ys) * 1.05];
  const sx = (v: number): number => left + (x.log ? Math.log(v / x0) / Math.log(x1 / x0) : (v - x0) / (x1 - x0)) * pw;
  const sy = (v: number): number => top + ph - (y.log ? Math.log(v / y0) / Math.log(y1 / y0) : (v - y0) / (y1 - y0)) * ph;
  const fx = x.format ?? String, fy = y.format ?? String;
  const parts: string[] = [];
  for (const t of x.log ? niceLogTicks(x0, x1) : linearTicks(x0, x1)) {
    parts.push(`<line x1="${r(sx(t))}" x2="${r(sx(t))}" y1="${top}" y2="${top + ph}" stroke="#e4e4e4"/><text x="${r(sx(t))}" y="${top + ph + 16}" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  for (const t of y.log ? niceLogTicks(y0, y1) : linearTicks(y0, y1)) {
    parts.push(`<line x1="${left}" x2="${left + pw}" y1="${r(sy(t))}" y2="${r(sy(t))}" stroke="#e4e4e4"/><text x="${left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${esc(fy(t))}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#555"/>`);
  parts.push(`<text x="${left + pw / 2}" y="${top + ph + 36}" text-anchor="middle">${esc(x.label)}</text>`);
  parts.push(`<text transform="translate(16 ${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(y.label)}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const dash = DASHES[i % DASHES.length];
    const clampX = (v: number): number => Math.min(Math.max(v, x0), x1);
    const d = s.points.map(([px, py], j) => `${j === 0 ? 'M' : 'L'}${r(sx(clampX(px)))} ${r(sy(py))}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${esc(s.name)}</title></path>`);
    if (s.markers) for (const [px, py] of s.points) parts.push(`<circle cx="${r(sx(px))}" cy="${r(sy(py))}" r="3.5" fill="${colour}"><title>${esc(`${s.name}: ${fx(px)}, ${fy(py)}`)}</title></circle>`);
    const ly = top + ph + bottom + 10 + i * 18;
    parts.push(`<line x1="${left}" x2="${left + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/><text x="${left + 38}" y="${ly}">${esc(s.name)}</text>`);
  });
  return frame(title, subtitle, H, parts.join(''));
}

interface BarGroup { label: string; bars: Array<{ name: string; value: number }> }

function barChart(title: string, subtitle: string, axisLabel: string, groups: BarGroup[], format: (v: number) => string): string {
  const names = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const legendRows = Math.ceil(names.length / 3);
  const barH = 11, gap = 14, left = 230, right = 90, top = 52 + legendRows * 16 + 14;
  const H = top + groups.length * (names.length * barH + gap) + 70;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const pw = W - left - right;
  const sx = (v: number): number => left + (Math.log(Math.max(v, lo) / lo) / Math.log(hi / lo)) * pw;
  const parts: string[] = [];
  const plotBottom = H - 60;
  for (const t of niceLogTicks(lo, hi)) {
    parts.push(`<line x1="${r(sx(t))}" x2="${r(sx(t))}" y1="${top - 6}" y2="${plotBottom}" stroke="#e4e4e4"/><text x="${r(sx(t))}" y="${plotBottom + 16}" text-anchor="middle">${esc(format(t))}</text>`);
  }
  parts.push(`<text x="${left + pw / 2}" y="${plotBottom + 36}" text-anchor="middle">${esc(axisLabel)}</text>`);
  let y = top;
  for (const g of groups) {
    parts.push(`<text x="${left - 8}" y="${r(y + (names.length * barH) / 2 + 4)}" text-anchor="end" font-weight="600">${esc(g.label)}</text>`);
    for (const b of g.bars) {
      const i = names.indexOf(b.name);
      const by = y + i * barH;
      parts.push(`<rect x="${left}" y="${by}" width="${r(Math.max(1, sx(b.value) - left))}" height="${barH - 2}" fill="${COLOURS[i % COLOURS.length]}"><title>${esc(`${g.label}, ${b.name}: ${format(b.value)}`)}</title></rect>`);
      parts.push(`<text x="${r(sx(b.value) + 4)}" y="${by + barH - 3}" font-size="10" fill="#333">${esc(format(b.value))}</text>`);
    }
    y += names.length * barH + gap;
  }
  names.forEach((n, i) => {
    const lx = 16 + (i % 3) * 245, ly = 60 + Math.floor(i / 3) * 16;
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="10" fill="${COLOURS[i % COLOURS.length]}"/><text x="${lx + 16}" y="${ly}">${esc(n)}</text>`);
  });
  return frame(title, subtitle, H, parts.join(''));
}
