// Charts for bench/RESULTS.md, drawn from the numbers the sections measured in
// this same run: the sections record them here (as they record targets in
// support.ts), and bench/index.ts writes the SVGs once every section has run.
//   chart-lateness-cdf.svg   wake-up lateness CDF per peer, 1 000 sleepers
//   chart-fleet-sleep.svg    fleet sleep phase vs N per peer, with the floor
//   chart-call-cost.svg      ns per guest call, ours vs peers, log scale
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChart, lineChart, type BarGroup, type Series } from './svg-chart.ts';

export { CHART_DATA, writeCharts, chartsMarkdown, type WrittenChart };

const CHART_DATA = {
  /** Per peer: every sleeper's wake-up lateness (ms) at N = latenessN. */
  lateness: new Map<string, number[]>(),
  latenessN: 0,
  /** Per peer: [N, sleep phase ms]. */
  fleetSleep: new Map<string, Array<[number, number]>>(),
  /** The 10 000-actor target's bound per N: 1.5 × (100 ms + floor). */
  fleetBound: [] as Array<[number, number]>,
  /** Per call: ns per call for each configuration. */
  callCost: [] as BarGroup[],
};

interface WrittenChart { file: string; title: string }

const ms = (v: number): string => (v === 0 ? '0' : v >= 1 ? `${Number(v.toPrecision(3))} ms` : `${Number((v * 1000).toPrecision(3))} µs`);
const ns = (v: number): string => (v >= 1e6 ? `${Number((v / 1e6).toPrecision(3))} ms` : v >= 1000 ? `${Number((v / 1000).toPrecision(3))} µs` : `${Number(v.toPrecision(3))} ns`);

function cdf(values: number[], floorMs: number): Array<[number, number]> {
  const sorted = [...values].sort((a, b) => a - b);
  const points: Array<[number, number]> = [[Math.max(floorMs, sorted[0] ?? floorMs), 0]];
  const step = Math.max(1, Math.floor(sorted.length / 400));
  for (let i = 0; i < sorted.length; i += step) points.push([Math.max(floorMs, sorted[i]), (i + 1) / sorted.length]);
  points.push([Math.max(floorMs, sorted[sorted.length - 1] ?? floorMs), 1]);
  return points;
}

/** Writes every chart that has data into `dir`; returns what it wrote, for the report. */
function writeCharts(dir: string, when: string): WrittenChart[] {
  const written: WrittenChart[] = [];
  const write = (file: string, title: string, svg: string): void => {
    writeFileSync(join(dir, file), svg);
    written.push({ file, title });
  };
  if (CHART_DATA.lateness.size > 0) {
    const all = [...CHART_DATA.lateness.values()].flat();
    const floorMs = 0.01;
    const series: Series[] = [...CHART_DATA.lateness].map(([name, values]) => ({ name, points: cdf(values, floorMs) }));
    const title = `Wake-up lateness, ${CHART_DATA.latenessN.toLocaleString('en-US')} sleepers (100 ms each): CDF per peer`;
    write('chart-lateness-cdf.svg', title, lineChart(title, `${when}; lateness from each guest's own readings; below 10 µs drawn at 10 µs`,
      { label: 'lateness (log scale)', log: true, min: floorMs, max: Math.max(...all) * 1.1, format: ms },
      { label: 'fraction of sleepers woken', min: 0, max: 1, format: (v) => `${Math.round(v * 100)} %` }, series));
  }
  if (CHART_DATA.fleetSleep.size > 0) {
    const series: Series[] = [...CHART_DATA.fleetSleep].map(([name, points]) => ({ name, points, markers: true }));
    if (CHART_DATA.fleetBound.length > 0) series.push({ name: 'target: 1.5 × (100 ms + floor)', points: CHART_DATA.fleetBound, markers: true });
    const title = 'Fleet sleep phase vs N (each actor sleeps 100 ms)';
    write('chart-fleet-sleep.svg', title, lineChart(title, `${when}; every init started at once, until the last settles`,
      { label: 'actors (N)', min: 0, format: (v) => v.toLocaleString('en-US') }, { label: 'sleep phase', min: 0, format: ms }, series));
  }
  if (CHART_DATA.callCost.length > 0) {
    const title = 'Per-call cost: ours vs peers (log scale)';
    write('chart-call-cost.svg', title, barChart(title, `${when}; ns per guest call, median of interleaved rounds`, 'time per call (log scale)', CHART_DATA.callCost, ns));
  }
  return written;
}

function chartsMarkdown(charts: readonly WrittenChart[]): string {
  if (charts.length === 0) return '';
  return ['## Charts', '', 'Drawn by `bench/charts.ts` from this run\'s numbers.', '', ...charts.flatMap((c) => [`![${c.title}](${c.file})`, '']), ''].join('\n');
}
